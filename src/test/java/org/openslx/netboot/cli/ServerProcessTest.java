package org.openslx.netboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.server.FolderInit;

/** {@code slx server} as its own process: starts, logs one line per request, stops cleanly on SIGTERM. */
class ServerProcessTest {
    private static final Pattern SERVING = Pattern.compile("INFO serving .* on \\[127\\.0\\.0\\.1:([0-9]+)]");

    @TempDir
    Path tmp;

    private static Process slx(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void serverStopsCleanlyOnSigtermAndLogsEachRequestInOneLine() throws Exception {
        Path data = tmp.resolve("srv");
        FolderInit.run(data, "default", "127.0.0.1");
        Process server = slx("server", "--data", data.toString(), "--listen", "127.0.0.1:0");
        List<String> lines = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        try {
            int port = Integer.parseInt(awaitLine(out, lines, SERVING).group(1));
            assertThat(port).as("output: %s", lines).isPositive();

            Process curl = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:" + port + "/default/config")
                    .redirectErrorStream(true).start();
            assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(curl.exitValue()).isZero();
            awaitLine(out, lines, Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d INFO 127\\.0\\.0\\.1 GET"
                    + " /default/config 200 \\d+ B \\d+ ms$"));

            server.toHandle().destroy(); // SIGTERM, leaving our end of its output open
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
            assertThat(lines).last().isEqualTo("slx server: stopped");
            assertThat(server.exitValue()).isEqualTo(143); // terminated by SIGTERM, after the shutdown hook ran
            try (Socket _ = new Socket("127.0.0.1", port)) {
                throw new AssertionError("port " + port + " still accepts connections after the server stopped");
            } catch (ConnectException expected) {
                // The port is closed.
            }
        } finally {
            server.destroyForcibly();
        }
    }

    /** Reads output lines until one matches (at most two minutes: the JVM starts slowly on a busy machine). */
    private static Matcher awaitLine(BufferedReader out, List<String> lines, Pattern pattern) throws Exception {
        Matcher found = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        }).get(120, TimeUnit.SECONDS);
        assertThat(found).as("a line matching %s in %s", pattern, lines).isNotNull();
        return found;
    }

    @Test
    void serverOnAFolderThatIsNoDataFolderSaysWhatToDo() throws Exception {
        Process server = slx("server", "--data", tmp.resolve("nothing").toString(), "--listen", "127.0.0.1:0");
        String output = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(1);
        assertThat(output).contains("slx server: " + tmp.resolve("nothing") + " is not a folder; lay one out with:"
                + " slx server init " + tmp.resolve("nothing"));
        Files.createDirectories(tmp.resolve("bare"));
        Process bare = slx("server", "--data", tmp.resolve("bare").toString(), "--listen", "127.0.0.1:0");
        String bareOutput = new String(bare.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bare.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bare.exitValue()).isEqualTo(1);
        assertThat(bareOutput).contains("images");
    }
}
