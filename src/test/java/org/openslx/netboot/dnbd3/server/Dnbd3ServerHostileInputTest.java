package org.openslx.netboot.dnbd3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openslx.netboot.dnbd3.protocol.Command;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.RequestHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;
import org.openslx.netboot.net.PortListener;

/**
 * Hostile clients: every bad input is answered per protocol or the connection is closed, while a
 * well-behaved client keeps streaming correct data on the same server, and no file outside the
 * base folder is ever opened.
 */
class Dnbd3ServerHostileInputTest extends Dnbd3ServerTestBase {
    private static final int IMAGE_SIZE = 1 << 20;

    private byte[] data;
    private Path outside;
    private Thread streamer;
    private volatile boolean streaming = true;
    private final AtomicLong healthyReads = new AtomicLong();
    private final AtomicReference<Throwable> healthyFailure = new AtomicReference<>();

    @BeforeEach
    void startServerAndAHealthyClient() throws IOException {
        start();
        data = image("good.r1", IMAGE_SIZE, 11);
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.write(outside.resolve("secret.r1"), new byte[8192]);
        Files.createDirectories(base.resolve("sub"));
        Files.createSymbolicLink(base.resolve("escape.r1"), outside.resolve("secret.r1"));
        Files.createSymbolicLink(base.resolve("linkdir"), outside);
        streamer = Thread.ofPlatform().name("healthy-client").start(() -> {
            Random random = new Random(3);
            try (RawClient client = connect()) {
                client.select("good", 1);
                while (streaming) {
                    int offset = random.nextInt(IMAGE_SIZE);
                    int length = random.nextInt(Math.min(IMAGE_SIZE - offset, 200_000) + 1);
                    byte[] got = client.getBlock(offset, length, offset);
                    if (!Arrays.equals(got, 0, length, data, offset, offset + length)) {
                        throw new AssertionError("healthy client read wrong data at " + offset);
                    }
                    healthyReads.incrementAndGet();
                }
            } catch (Throwable t) {
                healthyFailure.set(t);
            }
        });
    }

    @AfterEach
    void healthyClientWasNeverDisturbed() throws Exception {
        long before = healthyReads.get();
        Thread.sleep(200);
        streaming = false;
        streamer.join(10_000);
        assertThat(healthyFailure.get()).isNull();
        assertThat(healthyReads.get()).isGreaterThan(before);
        assertThat(openFilesUnder(outside)).isEmpty();
    }

    /** Files this JVM (which runs the server) has open below the folder, from /proc/self/fd. */
    private static List<Path> openFilesUnder(Path folder) throws IOException {
        Path real = folder.toRealPath();
        List<Path> open = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(real)) {
                        open.add(target);
                    }
                } catch (IOException e) {
                    // fd closed meanwhile
                }
            }
        }
        return open;
    }

    @Test
    void badMagicInTheFirstMessageCloses() throws Exception {
        try (RawClient client = connect()) {
            byte[] message = SelectImageRequest.of("good", 1).encode().array();
            message[1] = 0x00;
            assertThat(client.send(message).closedByServer()).isTrue();
        }
    }

    @Test
    void firstByteOfNoKnownProtocolCloses() throws Exception {
        try (RawClient client = connect()) {
            assertThat(client.send(new byte[] {0x01, 0x02, 0x03}).closedByServer()).isTrue();
        }
    }

    @Test
    void truncatedHeaderFollowedByCloseOrSilenceCloses() throws Exception {
        try (RawClient client = connect()) {
            client.send(Arrays.copyOf(SelectImageRequest.of("good", 1).encode().array(), 10));
            client.socket.shutdownOutput();
            assertThat(client.closedByServer()).isTrue();
        }
        try (RawClient client = connect()) {
            client.send(Arrays.copyOf(SelectImageRequest.of("good", 1).encode().array(), 10));
            assertThat(client.closedByServer()).as("closed after the 2 s client timeout").isTrue();
        }
        try (RawClient client = connect()) {
            client.select("good", 1);
            client.send(Arrays.copyOf(RequestHeader.getBlock(0, 10, 1).encode().array(), 20));
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 1001, 65536, -1})
    void selectImagePayloadSizeOutsideThreeTo1000Closes(int size) throws Exception {
        try (RawClient client = connect()) {
            client.send(new RequestHeader(Command.SELECT_IMAGE.id(), Integer.toUnsignedLong(size), 0, 0, 0).encode());
            client.send(new byte[Math.min(Math.max(size, 0), 2000)]);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/abs", ".hidden", "a/./b", "sub/../good", "good/", "escape", "linkdir/secret",
            "../outside/secret", "nonexistent", "sub", "good.r1", "back\\slash"})
    void badOrUnknownNamesClose(String name) throws Exception {
        for (int rid : new int[] {0, 1}) {
            try (RawClient client = connect()) {
                assertThat(client.send(SelectImageRequest.of(name, rid).encode()).closedByServer()).isTrue();
            }
        }
    }

    @Test
    void thousandByteNamesClose() throws Exception {
        try (RawClient client = connect()) {
            String name = "x".repeat(SelectImageRequest.MAX_NAME_BYTES); // payload exactly 1000 bytes
            ByteBuffer message = SelectImageRequest.of(name, 1).encode();
            assertThat(message.remaining()).isEqualTo(24 + 1000);
            assertThat(client.send(message).closedByServer()).isTrue();
        }
        try (RawClient client = connect()) {
            ByteBuffer payload = ByteBuffer.allocate(1000).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 3);
            while (payload.hasRemaining()) {
                payload.put((byte) 'a'); // no NUL terminator anywhere
            }
            client.request(RequestHeader.of(Command.SELECT_IMAGE, 1000, 0)).send(payload.flip());
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void tooOldProtocolVersionCloses() throws Exception {
        try (RawClient client = connect()) {
            assertThat(client.send(new SelectImageRequest(1, "good", 1, 0).encode()).closedByServer()).isTrue();
        }
    }

    @Test
    void anythingButSelectImageFirstCloses() throws Exception {
        for (Command command : Command.values()) {
            if (command == Command.SELECT_IMAGE) {
                continue;
            }
            try (RawClient client = connect()) {
                client.request(new RequestHeader(command.id(), command == Command.GET_BLOCK ? 4096 : 0, 0, 0, 1));
                assertThat(client.closedByServer()).as(command.name()).isTrue();
            }
        }
    }

    @Test
    void getBlockPastTheEndOrOfHugeSizeGetsErrorAndTheConnectionStays() throws Exception {
        try (RawClient client = connect()) {
            client.select("good", 1);
            long[][] requests = {
                    {IMAGE_SIZE, 1}, {IMAGE_SIZE, 0}, {IMAGE_SIZE - 10, 11}, {0, 0xffff_ffffL}, {0, IMAGE_SIZE + 1L},
                    {Dnbd3Protocol.MAX_OFFSET, 0xffff_ffffL}, {Dnbd3Protocol.MAX_OFFSET, 1}};
            for (int i = 0; i < requests.length; i++) {
                client.request(RequestHeader.getBlock(requests[i][0], requests[i][1], 500 + i));
                assertThat(client.reply()).as("GET_BLOCK %d+%d", requests[i][0], requests[i][1])
                        .isEqualTo(ReplyHeader.error(500 + i));
            }
            assertThat(client.getBlock(IMAGE_SIZE - 10, 10, 1)).isEqualTo(Arrays.copyOfRange(data, IMAGE_SIZE - 10, IMAGE_SIZE));
        }
    }

    @Test
    void hopByteNeverChangesTheOffset() throws Exception {
        try (RawClient client = connect()) {
            client.select("good", 1);
            client.request(new RequestHeader(Command.GET_BLOCK.id(), 16, 4096, 0xff, 3));
            ReplyHeader reply = client.reply();
            assertThat(reply).isEqualTo(ReplyHeader.of(Command.GET_BLOCK, 16, 3));
            assertThat(client.bytes(16)).isEqualTo(Arrays.copyOfRange(data, 4096, 4096 + 16));
        }
    }

    @Test
    void oversizedPayloadOfOtherCommandsClosesButUnknownCommandsAreSkipped() throws Exception {
        try (RawClient client = connect()) {
            client.select("good", 1);
            client.request(new RequestHeader(99, 0, 0, 0, 1));
            client.request(RequestHeader.of(Command.KEEPALIVE, 0, 2));
            assertThat(client.reply()).isEqualTo(ReplyHeader.of(Command.KEEPALIVE, 0, 0));
            client.request(new RequestHeader(Command.KEEPALIVE.id(), 1001, 0, 0, 3));
            assertThat(client.closedByServer()).isTrue();
        }
        try (RawClient client = connect()) {
            client.select("good", 1);
            client.request(new RequestHeader(Command.GET_SERVERS.id(), 0xffff_ffffL, 0, 0, 3));
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void badMagicAfterTheHandshakeCloses() throws Exception {
        try (RawClient client = connect()) {
            client.select("good", 1);
            byte[] request = RequestHeader.getBlock(0, 10, 1).encode().array();
            request[0] = 0x47;
            assertThat(client.send(request).closedByServer()).isTrue();
        }
    }

    @Test
    void idleClientIsDisconnectedAfterTheIdleTimeout() throws Exception {
        try (RawClient client = connect()) {
            client.select("good", 1);
            assertThat(client.closedByServer()).as("closed after the 4 s idle timeout").isTrue();
        }
    }

    @Test
    void randomBytesAreAnsweredOrClosedNeverHang() throws Exception {
        Random random = new Random(1234);
        for (int i = 0; i < 150; i++) {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            if (i % 2 == 0) {
                junk[0] = Dnbd3Protocol.MAGIC_0;
                if (junk.length > 1) {
                    junk[1] = Dnbd3Protocol.MAGIC_1;
                }
            }
            try (RawClient client = connect()) {
                if (i % 3 == 0) {
                    client.select("good", 1);
                }
                client.send(junk);
                client.socket.shutdownOutput();
                while (client.socket.getInputStream().read(new byte[4096]) >= 0) {
                    // Replies are fine (a GET_BLOCK may have been valid); the server must end with EOF.
                }
            } catch (java.net.SocketException e) {
                // A reset is a close too.
            }
        }
    }

    @Test
    void hundredsOfConcurrentClientsAreServedTogether() throws Exception {
        List<RawClient> clients = new ArrayList<>();
        // A server of its own with a long idle timeout: on a loaded machine connecting 500 clients
        // one after the other takes longer than the 4 s idle timeout of the shared one.
        Dnbd3Server patient = Dnbd3Server.start(base, AltServers.none(),
                new Dnbd3Server.Settings(Duration.ofSeconds(2), Duration.ofMinutes(5)));
        PortListener patientListener = patient.listen(
                List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), false);
        try {
            for (int i = 0; i < 500; i++) {
                RawClient client = new RawClient(patientListener.boundAddresses().getFirst());
                clients.add(client);
                client.select("good", 1);
            }
            assertThat(patient.stats().clients()).hasSizeGreaterThanOrEqualTo(500);
            for (int i = 0; i < clients.size(); i++) {
                int offset = i * 2000;
                assertThat(clients.get(i).getBlock(offset, 1000, i)).isEqualTo(Arrays.copyOfRange(data, offset, offset + 1000));
            }
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
            patientListener.close();
            patient.close();
        }
    }

    @Test
    void clientThatStopsReadingIsDisconnectedByTheWriteWatchdog() throws Exception {
        image("big.r1", 32 << 20, 5);
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(address);
            socket.getOutputStream().write(SelectImageRequest.of("big", 1).encode().array());
            socket.getOutputStream().write(RequestHeader.getBlock(0, 32 << 20, 1).encode().array());
            assertThat(waitUntil(() -> server.stats().clients().stream().anyMatch(c -> c.image().equals("big"))))
                    .as("the client is connected").isTrue();
            assertThat(waitUntil(() -> server.stats().clients().stream().noneMatch(c -> c.image().equals("big"))))
                    .as("the client is dropped after the 4 s limit").isTrue();
        }
    }

    private static boolean waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
