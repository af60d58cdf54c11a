package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real headless Chromium (Debian's package): it loads, its script fetches
 * /api/status and shows a connected dnbd3 client. The screenshot stays in
 * target/test-artifacts/status-page.png for people to look at.
 */
class StatusPageChromiumTest {
    private static final Path ARTIFACTS = Path.of("target", "test-artifacts");
    private static final String UUID = "4c4c4544-0033-5a10-8052-b4c04f4d5332";

    @TempDir
    Path tmp;

    @Test
    void statusPageShowsAConnectedDnbd3ClientImagesAndConfigFetches() throws Exception {
        Path data = tmp.resolve("srv");
        FolderInit.run(data, "default", "127.0.0.1");
        Files.writeString(data.resolve("boot/default/kernel"), "kernel");
        Path image = QemuImg.create(tmp.resolve("stage4.qcow2"), "64M", 0x42);
        ImageImport.add(new StoreFiles(data.resolve("images")), image, "stage4.qcow2", 0, (phase, done, total) -> { });

        try (BootServer server = BootServer.start(new BootServer.Options(data,
                List.of(new InetSocketAddress("127.0.0.1", 0)), null), Dnbd3Services::forStore)) {
            InetSocketAddress address = server.boundAddresses().getFirst();
            String url = "http://127.0.0.1:" + address.getPort() + "/";
            Curl.get(tmp, url + "default/config?uuid=" + UUID);
            try (Dnbd3Reader client = new Dnbd3Reader(address, "stage4.qcow2", 0)) {
                client.read(0, 1 << 20);
                String clientAddress = "127.0.0.1:" + client.localPort();

                String dom = chromium(List.of("--dump-dom", url));
                assertThat(dom).contains("<h1>slx server</h1>");
                assertThat(dom).as("the script ran and filled the page").contains("(dnbd3 and HTTP)");
                assertThat(dom).contains("<tr class=\"client\"><td>" + clientAddress + "</td><td>stage4.qcow2</td>"
                        + "<td>1</td><td class=\"num\">1.0 MiB</td>");
                assertThat(dom).containsPattern("<td>stage4.qcow2</td><td>1</td><td class=\"num\">[0-9.]+ [KM]iB</td>"
                        + "<td class=\"yes\">yes</td><td class=\"num\">1</td>");
                assertThat(dom).contains("<td>/default/config</td><td>" + UUID + "</td><td>boot/default/config</td>");

                Files.createDirectories(ARTIFACTS);
                Path screenshot = ARTIFACTS.resolve("status-page.png").toAbsolutePath();
                Files.deleteIfExists(screenshot);
                chromium(List.of("--screenshot=" + screenshot, "--window-size=1100,1000", url));
                assertThat(screenshot).isRegularFile();
                byte[] png = Files.readAllBytes(screenshot);
                assertThat(png.length).isGreaterThan(10_000);
                assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
            }
        }
    }

    /** Runs headless Chromium with a fresh profile and lets the page's script run for 5 s of virtual time. */
    private String chromium(List<String> arguments) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        List<String> command = new ArrayList<>(List.of("/usr/bin/chromium", "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=5000"));
        command.addAll(arguments);
        Path log = tmp.resolve("chromium.log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("chromium did not finish; its log: " + Files.readString(log));
        }
        assertThat(process.exitValue()).as("chromium exit code; log: %s", Files.readString(log)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
