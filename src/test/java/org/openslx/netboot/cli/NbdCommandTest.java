package org.openslx.netboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slx nbd serve} as a sysadmin runs it: a separate process, read by nbdcopy and
 * nbdinfo, stopped with SIGTERM.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NbdCommandTest {
    private static final long SIZE = 3 * 1024 * 1024;

    @TempDir
    Path dir;
    private Process server;

    @AfterEach
    void stopServer() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor();
        }
    }

    private Path rawFile() throws IOException {
        byte[] data = new byte[(int) SIZE];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >> 12));
        }
        return Files.write(dir.resolve("disk.raw"), data);
    }

    private Path startServer(String... args) throws IOException {
        Path log = dir.resolve("serve.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx32m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "nbd", "serve"));
        command.addAll(List.of(args));
        server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return log;
    }

    private static String awaitLine(Path log, Pattern pattern) throws IOException, InterruptedException {
        for (int i = 0; i < 600; i++) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher matcher = pattern.matcher(text);
            if (matcher.find()) {
                return matcher.group();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + pattern + " in " + Files.readString(log));
    }

    private static Tool run(String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Tool(process.exitValue(), output);
    }

    private record Tool(int exitCode, String output) {
    }

    @Test
    void servesOnAUnixSocketLogsClientsAndStopsCleanlyOnSigterm() throws Exception {
        Path file = rawFile();
        Path socket = dir.resolve("slx.sock");
        Path log = startServer(file.toString(), "--unix", socket.toString());
        awaitLine(log, Pattern.compile("serving " + Pattern.quote(file.toString()) + " \\(" + SIZE
                + " bytes\\) on unix:" + Pattern.quote(socket.toString())));
        Path copy = dir.resolve("copy.raw");

        Tool copied = run("nbdcopy", "nbd+unix:///?socket=" + socket, copy.toString());
        assertThat(copied.exitCode()).as(copied.output()).isZero();
        assertThat(Files.mismatch(copy, file)).isEqualTo(-1);
        awaitLine(log, Pattern.compile("client #1 on unix:\\S+ connected"));
        awaitLine(log, Pattern.compile("client #1 on unix:\\S+ (disconnected|closed the connection)"));

        server.destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
        assertThat(socket).doesNotExist();
        assertThat(Files.readString(log)).contains("slx nbd: stopping");
    }

    @Test
    void servesOnTcpLoopbackWhenOnlyAPortIsGiven() throws Exception {
        Path file = rawFile();
        Path log = startServer(file.toString(), "--listen", ":0");
        String serving = awaitLine(log, Pattern.compile("on tcp:127\\.0\\.0\\.1:\\d+"));
        String port = serving.substring(serving.lastIndexOf(':') + 1);

        Tool info = run("nbdinfo", "--size", "nbd://127.0.0.1:" + port);

        assertThat(info.exitCode()).as(info.output()).isZero();
        assertThat(info.output().trim()).isEqualTo(Long.toString(SIZE));
    }

    @Test
    void missingSourceFileIsOneClearSentence() {
        Result result = runInProcess("nbd", "serve", dir.resolve("nope.raw").toString(), "--unix",
                dir.resolve("s.sock").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr().strip()).contains("nope.raw").contains("no such file").doesNotContain("Exception");
        assertThat(dir.resolve("s.sock")).doesNotExist();
    }

    @Test
    void listenAddressWithoutPortIsAUsageError() throws IOException {
        Result result = runInProcess("nbd", "serve", rawFile().toString(), "--listen", "localhost");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("--listen expects HOST:PORT");
    }

    @Test
    void unixSocketAndTcpTogetherAreAUsageError() throws IOException {
        Result result = runInProcess("nbd", "serve", rawFile().toString(), "--unix", "x.sock", "--listen", ":1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("mutually exclusive");
    }

    private record Result(int exitCode, String stderr) {
    }

    private static Result runInProcess(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int exitCode = Main.run(args);
            return new Result(exitCode, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }
}
