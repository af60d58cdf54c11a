package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileSource;

/** Starting, embedding and stopping the server: socket files, handed-over sockets, shutdown. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NbdServerLifecycleTest {
    private static final int SIZE = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void closeFinishesRepliesInFlightAndRemovesTheSocketFile() throws Exception {
        Path file = TestFiles.pattern(dir.resolve("disk.raw"), SIZE);
        byte[] expected = Files.readAllBytes(file);
        CountDownLatch gate = new CountDownLatch(1);
        Path socket = dir.resolve("nbd.sock");
        try (BlockSource source = TestSources.gatedAtZero(FileSource.openReadOnly(file), gate)) {
            NbdServer server = NbdServer.serveUnix(socket, source);
            try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
                client.sendRequest(0, 0, 1, 0, 65536);
                Thread closer = Thread.ofVirtual().start(server::close);
                while (Files.exists(socket)) {
                    Thread.sleep(10);
                }
                gate.countDown();

                assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(0, 1));
                assertThat(client.readBytes(65536)).isEqualTo(Arrays.copyOf(expected, 65536));
                client.assertServerHangsUp();
                closer.join();
                server.awaitClosed();
            }
        }
    }

    @Test
    void staleSocketFileFromACrashedServerIsReplaced() throws Exception {
        Path socket = dir.resolve("nbd.sock");
        ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        crashed.bind(UnixDomainSocketAddress.of(socket));
        crashed.close();
        assertThat(socket).exists();

        try (BlockSource source = FileSource.openReadOnly(TestFiles.pattern(dir.resolve("disk.raw"), SIZE));
                NbdServer server = NbdServer.serveUnix(socket, source);
                RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            assertThat(client.size).isEqualTo(SIZE);
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void socketOfALiveServerIsNotTakenOver() throws Exception {
        Path socket = dir.resolve("nbd.sock");
        try (BlockSource source = FileSource.openReadOnly(TestFiles.pattern(dir.resolve("disk.raw"), SIZE));
                NbdServer first = NbdServer.serveUnix(socket, source)) {
            assertThatThrownBy(() -> NbdServer.serveUnix(socket, source))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(socket.toString())
                    .hasMessageContaining("another server");
            try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
                assertThat(client.size).isEqualTo(SIZE);
            }
        }
    }

    @Test
    void regularFileInTheSocketsPlaceIsNotReplaced() throws Exception {
        Path socket = Files.writeString(dir.resolve("nbd.sock"), "precious");
        try (BlockSource source = FileSource.openReadOnly(TestFiles.pattern(dir.resolve("disk.raw"), SIZE))) {
            assertThatThrownBy(() -> NbdServer.serveUnix(socket, source))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not a socket");
        }
        assertThat(Files.readString(socket)).isEqualTo("precious");
    }

    /**
     * How a daemon embeds the server: it accepts (or creates) connected sockets itself and
     * hands them over. nbdcopy, connecting up to four times, must copy the whole export.
     */
    @Test
    void serversHandedConnectedSocketsServeThemLikeItsOwn() throws Exception {
        Path file = TestFiles.pattern(dir.resolve("disk.raw"), SIZE);
        Path socket = dir.resolve("daemon.sock");
        try (BlockSource source = FileSource.openReadOnly(file);
                NbdServer server = new NbdServer(new Export("", source));
                ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            daemon.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        SocketChannel client = daemon.accept();
                        server.serve(client);
                    }
                } catch (IOException e) {
                    // The daemon socket was closed: the test is over.
                }
            });
            Path copy = dir.resolve("copy.raw");

            Tools.run("nbdcopy", Tools.unixUri(socket), copy.toString()).assertSuccess();

            assertThat(Files.mismatch(copy, file)).isEqualTo(-1);
            daemon.close();
            acceptor.join();
        }
    }
}
