package org.openslx.netboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.dnbd3.server.AltServers;
import org.openslx.netboot.dnbd3.server.CrcListWriter;
import org.openslx.netboot.dnbd3.server.Dnbd3Server;
import org.openslx.netboot.net.PortListener;

/** {@code slx dnbd3 cat} as a process, against our dnbd3 server. */
class Dnbd3CatCommandTest {
    @TempDir
    Path base;

    private static Process slx(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[args.length + 4];
        command[0] = java;
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = Main.class.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        return new ProcessBuilder(command).start();
    }

    @Test
    void catWritesTheWholeImageRawToStdoutWithTheZeroPaddedTail() throws Exception {
        byte[] image = new byte[(33 << 20) + 123];
        new Random(9).nextBytes(image);
        Path file = Files.write(base.resolve("demo.img.r2"), image);
        CrcListWriter.write(file, done -> { });
        try (Dnbd3Server server = Dnbd3Server.start(base, AltServers.none(), Dnbd3Server.Settings.DEFAULT);
             PortListener listener = server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), false)) {
            int port = listener.boundAddresses().getFirst().getPort();
            // A dead first server in the URL: cat must use the live one.
            Process cat = slx("dnbd3", "cat", "dnbd3://127.0.0.1:1,127.0.0.1:" + port + "/demo.img");
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(cat.getErrorStream()));
            byte[] out = cat.getInputStream().readAllBytes();
            assertThat(cat.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(cat.exitValue()).as(new String(err.get(), StandardCharsets.UTF_8)).isZero();
            int virtualSize = (image.length + 4095) / 4096 * 4096;
            assertThat(out.length).isEqualTo(virtualSize);
            assertThat(Arrays.equals(out, 0, image.length, image, 0, image.length)).isTrue();
            assertThat(Arrays.copyOfRange(out, image.length, virtualSize)).containsOnly(0);
        }
    }

    @Test
    void catOfAnImageNoServerOffersFailsWithOneSentence() throws Exception {
        Files.write(base.resolve("demo.img.r1"), new byte[4096]);
        try (Dnbd3Server server = Dnbd3Server.start(base, AltServers.none(), Dnbd3Server.Settings.DEFAULT);
             PortListener listener = server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), false)) {
            int port = listener.boundAddresses().getFirst().getPort();
            Process cat = slx("dnbd3", "cat", "dnbd3://127.0.0.1:" + port + "/other.img");
            assertThat(cat.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String err = new String(cat.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cat.exitValue()).isEqualTo(1);
            assertThat(err).contains("slx dnbd3 cat: no dnbd3 server offers 'other.img' (127.0.0.1:" + port
                    + ": closed the connection after SELECT_IMAGE");
            assertThat(err).doesNotContain("Exception");
        }
    }

    @Test
    void badUrlsAndTimeoutsAreUsageErrors() {
        assertThat(Main.run("dnbd3", "cat", "http://x/y")).isEqualTo(2);
        assertThat(Main.run("dnbd3", "cat", "--timeout", "soon", "dnbd3://127.0.0.1:1/x")).isEqualTo(2);
        assertThat(Dnbd3CatCommand.parseDuration("500ms").toMillis()).isEqualTo(500);
        assertThat(Dnbd3CatCommand.parseDuration("2m").toSeconds()).isEqualTo(120);
        assertThat(Dnbd3CatCommand.parseDuration("0").isZero()).isTrue();
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
