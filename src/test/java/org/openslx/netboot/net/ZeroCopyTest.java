package org.openslx.netboot.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZeroCopyTest {
    @TempDir
    Path dir;

    @Test
    void slowReaderOnAVirtualThreadStillGetsEveryByte() throws Exception {
        byte[] data = new byte[24 << 20];
        new Random(1).nextBytes(data);
        Path file = Files.write(dir.resolve("data"), data);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread sender = Thread.ofVirtual().start(() -> {
                try (SocketChannel peer = server.accept(); FileChannel channel = FileChannel.open(file)) {
                    peer.socket().getInputStream().read(new byte[1]); // makes the socket non-blocking underneath
                    ZeroCopy.send(channel, 1000, data.length - 2000, peer);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(64 * 1024);
                client.connect(server.getLocalAddress());
                client.getOutputStream().write(1);
                Thread.sleep(500); // the send buffer fills and sendfile finds no room
                InputStream in = client.getInputStream();
                byte[] got = in.readNBytes(data.length - 2000);
                assertThat(in.read()).isEqualTo(-1);
                assertThat(got.length).isEqualTo(data.length - 2000);
                assertThat(Arrays.equals(got, 0, got.length, data, 1000, data.length - 1000))
                        .as("the bytes received are the file's").isTrue();
            }
            sender.join();
        }
        assertThat(failure.get()).isNull();
    }
}
