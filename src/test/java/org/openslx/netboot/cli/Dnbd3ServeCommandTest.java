package org.openslx.netboot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageReply;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;

/** {@code slx dnbd3 serve} and {@code slx dnbd3 crc} as processes. */
class Dnbd3ServeCommandTest {
    @TempDir
    Path dir;

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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void serveAnswersAClientAndShutsDownCleanlyOnSigterm() throws Exception {
        Path base = Files.createDirectories(dir.resolve("base"));
        Files.write(base.resolve("img.r5"), new byte[5000]);
        int port = freePort();
        Process server = slx("dnbd3", "serve", "--base", base.toString(), "--listen", "127.0.0.1:" + port);
        BufferedReader err = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        do {
            line = err.readLine();
        } while (line != null && !line.startsWith("dnbd3: serving"));
        assertThat(line).contains("1 image(s)", "127.0.0.1:" + port);

        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", port));
            client.setSoTimeout(10_000);
            client.getOutputStream().write(SelectImageRequest.of("img", 0).encode().array());
            byte[] header = client.getInputStream().readNBytes(16);
            ReplyHeader reply = ReplyHeader.decode(ByteBuffer.wrap(header));
            SelectImageReply select = SelectImageReply.decodePayload(
                    ByteBuffer.wrap(client.getInputStream().readNBytes((int) reply.size())));
            assertThat(select).isEqualTo(new SelectImageReply(3, "img", 5, 8192));

            server.toHandle().destroy(); // SIGTERM, leaving our pipes open
            assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(client.getInputStream().read()).as("client connection closed by the shutdown").isEqualTo(-1);
        }
        String rest = String.join("\n", err.lines().toList());
        assertThat(rest).contains("shutting down, closing 1 client connection(s)");
    }

    @Test
    void crcWritesTheListNextToTheImage() throws Exception {
        Path image = Files.write(dir.resolve("x.r1"), new byte[(17 << 20) + 3]);
        Process crc = slx("dnbd3", "crc", image.toString());
        assertThat(crc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = new String(crc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(crc.exitValue()).as(err).isZero();
        assertThat(err).contains("x.r1.crc", "2 blocks");
        assertThat(Files.size(dir.resolve("x.r1.crc"))).isEqualTo(12);
    }

    @Test
    void badArgumentsGiveOneClearSentence() throws Exception {
        assertThat(Main.run("dnbd3", "serve", "--base", dir.resolve("missing").toString())).isEqualTo(1);
        assertThat(Main.run("dnbd3", "serve", "--base", dir.toString(), "--status-from", "everyone")).isEqualTo(2);
        assertThat(Main.run("dnbd3", "crc", dir.resolve("nope.r1").toString())).isEqualTo(1);
        assertThatThrownBy(() -> Dnbd3ServeCommand.parseListen("::1:5003")).hasMessageContaining("brackets");
        assertThat(Dnbd3ServeCommand.parseListen("[::1]:5003").getPort()).isEqualTo(5003);
        assertThat(Dnbd3ServeCommand.parseListen("5004").getAddress().isAnyLocalAddress()).isTrue();
        assertThat(Dnbd3ServeCommand.parseListen(":5005").getPort()).isEqualTo(5005);
    }
}
