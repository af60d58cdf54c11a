package org.openslx.netboot.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSendTest {
    @TempDir
    Path tmp;

    /**
     * A virtual thread that once waited in a read has a non-blocking socket underneath; plain
     * transferTo then returns 0 whenever the peer reads slower than we send. FileSend must still
     * deliver every byte in order.
     */
    @Test
    void aVirtualThreadSendsTheWholeRangeToASlowReaderAfterWaitingInARead() throws Exception {
        byte[] content = new byte[24 << 20];
        new Random(3).nextBytes(content);
        Path file = Files.write(tmp.resolve("data"), content);
        long from = 12345;
        long count = content.length - from - 999;
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (SocketChannel channel = server.accept(); FileChannel data = FileChannel.open(file)) {
                    channel.read(ByteBuffer.allocate(1)); // parks: the socket turns non-blocking underneath
                    FileSend.send(data, from, count, channel, () -> { });
                    sent.complete(null);
                } catch (Exception e) {
                    sent.completeExceptionally(e);
                }
            });
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(16 << 10);
                socket.connect(server.getLocalAddress());
                Thread.sleep(200);
                socket.getOutputStream().write(1);
                InputStream in = socket.getInputStream();
                byte[] received = new byte[(int) count];
                int done = 0;
                while (done < received.length) {
                    int n = in.read(received, done, Math.min(4096, received.length - done));
                    assertThat(n).isPositive();
                    done += n;
                    if (done % (1 << 20) < 4096) {
                        Thread.sleep(5); // fall behind now and then so the sender's buffer fills
                    }
                }
                sent.get();
                assertThat(Arrays.equals(received, Arrays.copyOfRange(content, (int) from, (int) (from + count)))).isTrue();
            }
        }
    }
}
