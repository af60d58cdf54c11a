package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileSource;

/**
 * Clients that misbehave (garbage, bad magic, oversized or out-of-range requests, vanishing
 * mid-request, never reading replies) and sources that fail. Each gets a proper error reply
 * or loses only its own connection; another client keeps reading correct data throughout.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NbdHostileClientTest {
    private static final int SIZE = 4 * 1024 * 1024;
    private static final int EPERM = 1;
    private static final int EIO = 5;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;

    @TempDir
    Path dir;
    private Path file;
    private byte[] expected;
    private BlockSource source;
    private NbdServer server;
    private Path socket;

    @BeforeEach
    void createFile() throws IOException {
        file = TestFiles.pattern(dir.resolve("disk.raw"), SIZE);
        expected = Files.readAllBytes(file);
        socket = dir.resolve("nbd.sock");
    }

    private void serve(BlockSource exported) throws IOException {
        source = exported;
        server = NbdServer.serveUnix(socket, source);
    }

    private void serveFilterOverFile() throws IOException {
        serve(TestSources.filter(FileSource.openReadOnly(file)));
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (source != null) {
            source.close();
        }
    }

    /** The point of every test here: the server still serves a well-behaved client. */
    private void assertAnotherClientStillReads() throws IOException {
        try (RawNbdClient other = RawNbdClient.connectAndGo(socket)) {
            assertThat(other.size).isEqualTo(SIZE);
            assertThat(other.read(0, 65536)).isEqualTo(Arrays.copyOfRange(expected, 0, 65536));
            assertThat(other.read(SIZE - 1000, 1000)).isEqualTo(Arrays.copyOfRange(expected, SIZE - 1000, SIZE));
        }
    }

    private byte[] expected(long offset, int length) {
        return Arrays.copyOfRange(expected, (int) offset, (int) offset + length);
    }

    @Test
    void garbageInsteadOfTheHandshakeDropsOnlyThatClient() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.readBytes(18);
            client.rawOut().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            client.assertServerHangsUp();
        }
        assertAnotherClientStillReads();
    }

    @Test
    void optionWithBadMagicDropsOnlyThatClient() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.out.writeLong(0x1122334455667788L);
            client.out.writeLong(0);
            client.out.flush();
            client.assertServerHangsUp();
        }
        assertAnotherClientStillReads();
    }

    @Test
    void optionClaimingGigabytesOfDataDropsTheClientWithoutReadingThem() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.out.writeLong(RawNbdClient.IHAVEOPT);
            client.out.writeInt(7);
            client.out.writeInt(0xFFFFFFF0);
            client.out.flush();
            client.assertServerHangsUp();
        }
        assertAnotherClientStillReads();
    }

    @Test
    void unknownOptionIsRefusedAsUnsupportedAndNegotiationGoesOn() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.sendOption(42, "whatever".getBytes(StandardCharsets.US_ASCII));
            RawNbdClient.OptionReply reply = client.readOptionReply();
            assertThat(reply.option()).isEqualTo(42);
            assertThat(reply.type()).isEqualTo(0x80000001);

            client.go();
            assertThat(client.read(4096, 4096)).isEqualTo(expected(4096, 4096));
        }
    }

    @Test
    void malformedGoIsRefusedAsInvalidAndNegotiationGoesOn() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.sendOption(7, new byte[] {0, 0, 0, 100, 1});
            assertThat(client.readOptionReply().type()).isEqualTo(0x80000003);

            client.go();
            assertThat(client.read(0, 512)).isEqualTo(expected(0, 512));
        }
    }

    @Test
    void abortEndsTheHandshakeWithAnAcknowledgement() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.sendOption(2, new byte[0]);
            assertThat(client.readOptionReply().type()).isEqualTo(1);
            client.assertServerHangsUp();
        }
        assertAnotherClientStillReads();
    }

    @Test
    void exportNameOptionEntersTransmissionWithSizeAndFlags() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.sendOption(1, "any name".getBytes(StandardCharsets.UTF_8));
            assertThat(client.in.readLong()).isEqualTo(SIZE);
            short flags = client.in.readShort();
            assertThat(flags & 0x0103).as("HAS_FLAGS, READ_ONLY, CAN_MULTI_CONN").isEqualTo(0x0103);
            // NO_ZEROES was negotiated by greet(): no 124 zero bytes follow.
            assertThat(client.read(100, 100)).isEqualTo(expected(100, 100));
        }
    }

    @Test
    void requestWithBadMagicDropsOnlyThatClient() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.rawOut().write(new byte[28]);
            client.rawOut().flush();
            client.assertServerHangsUp();
        }
        assertAnotherClientStillReads();
    }

    @Test
    void readOf64MiBIsRefusedWithEinvalAndTheConnectionGoesOn() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.sendRequest(0, 0, 77, 0, 64L * 1024 * 1024);
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EINVAL, 77));

            assertThat(client.read(8192, 8192)).isEqualTo(expected(8192, 8192));
        }
    }

    @Test
    void oversizedReadWithStructuredRepliesGetsAnErrorChunkThatSaysWhy() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.enableStructuredReplies();
            client.go();
            client.sendRequest(0, 0, 78, 0, 64L * 1024 * 1024);

            RawNbdClient.Chunk chunk = client.readChunk();
            assertThat(chunk.type()).isEqualTo((short) 0x8001);
            assertThat(chunk.flags() & 1).as("DONE").isEqualTo(1);
            assertThat(chunk.handle()).isEqualTo(78);
            ByteBuffer payload = ByteBuffer.wrap(chunk.payload());
            assertThat(payload.getInt()).isEqualTo(EINVAL);
            byte[] message = new byte[payload.getShort()];
            payload.get(message);
            assertThat(new String(message, StandardCharsets.UTF_8)).contains("67108864").contains("maximum");
        }
        assertAnotherClientStillReads();
    }

    @Test
    void readsPastTheEndAreRefusedWithEinval() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.sendRequest(0, 0, 1, SIZE - 100, 4096);
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EINVAL, 1));
            client.sendRequest(0, 0, 2, SIZE + 4096, 1);
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EINVAL, 2));
            client.sendRequest(0, 0, 3, 0xFFFFFFFFFFFFF000L, 4096);
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EINVAL, 3));

            assertThat(client.read(SIZE - 100, 100)).isEqualTo(expected(SIZE - 100, 100));
        }
    }

    @Test
    void writesToAReadOnlyExportAreRefusedWithEpermAndTheirPayloadSkipped() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.sendRequest(0, 1, 5, 0, 8192);
            client.rawOut().write(new byte[8192]);
            client.rawOut().flush();
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EPERM, 5));
            client.sendRequest(0, 4, 6, 0, 4096);
            assertThat(client.readSimpleReply()).as("TRIM").isEqualTo(new RawNbdClient.SimpleReply(EPERM, 6));

            assertThat(client.read(0, 8192)).isEqualTo(expected(0, 8192));
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void writeHeaderClaimingMoreThan32MiBDropsTheClient() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.sendRequest(0, 1, 5, 0, 64L * 1024 * 1024);
            client.assertServerHangsUp();
        }
        assertAnotherClientStillReads();
    }

    @Test
    void unknownCommandsAndFlagsAreRefusedWithEinval() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.sendRequest(0, 9, 1, 0, 0);
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EINVAL, 1));
            client.sendRequest(0x4000, 0, 2, 0, 512);
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EINVAL, 2));

            assertThat(client.read(0, 512)).isEqualTo(expected(0, 512));
        }
    }

    @Test
    void clientVanishingInTheMiddleOfARequestHeaderLeavesOthersServed() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.rawOut().write(new byte[] {0x25, 0x60, (byte) 0x95, 0x13, 0, 0, 0});
            client.rawOut().flush();
        }
        assertAnotherClientStillReads();
    }

    @Test
    void clientVanishingWithReadsInFlightLeavesOthersServed() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            for (int i = 0; i < 40; i++) {
                client.sendRequest(0, 0, i, (i % 3) * 1024 * 1024L, 1024 * 1024);
            }
        }
        assertAnotherClientStillReads();
    }

    @Test
    void clientThatNeverReadsItsRepliesStallsOnlyItself() throws IOException {
        serveFilterOverFile();
        try (RawNbdClient greedy = RawNbdClient.connectAndGo(socket)) {
            // More replies than the socket buffers and the connection's request slots hold.
            for (int i = 0; i < 40; i++) {
                greedy.sendRequest(0, 0, i, 0, 1024 * 1024);
            }
            assertAnotherClientStillReads();
        }
    }

    @Test
    void readsAreAnsweredAsTheyCompleteNotInRequestOrder() throws IOException {
        CountDownLatch gate = new CountDownLatch(1);
        serve(TestSources.gatedAtZero(FileSource.openReadOnly(file), gate));
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.sendRequest(0, 0, 1, 0, 4096);
            client.sendRequest(0, 0, 2, 4096, 4096);

            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(0, 2));
            assertThat(client.readBytes(4096)).isEqualTo(expected(4096, 4096));
            gate.countDown();
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(0, 1));
            assertThat(client.readBytes(4096)).isEqualTo(expected(0, 4096));
        }
    }

    @Test
    void sourceReadErrorBecomesEioAndTheConnectionGoesOn() throws IOException {
        serve(TestSources.failingAt(FileSource.openReadOnly(file), 1024 * 1024, 4096));
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.sendRequest(0, 0, 9, 1024 * 1024, 4096);
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EIO, 9));

            assertThat(client.read(0, 4096)).isEqualTo(expected(0, 4096));
        }
    }

    @Test
    void sourceReadErrorWithStructuredRepliesIsAnErrorChunkNamingTheOffset() throws IOException {
        serve(TestSources.failingAt(FileSource.openReadOnly(file), 1024 * 1024, 4096));
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.enableStructuredReplies();
            client.go();
            client.sendRequest(0, 0, 9, 1024 * 1024 - 4096, 8192);

            RawNbdClient.Chunk chunk = client.readChunk();
            assertThat(chunk.type()).isEqualTo((short) 0x8001);
            assertThat(chunk.flags() & 1).as("DONE").isEqualTo(1);
            ByteBuffer payload = ByteBuffer.wrap(chunk.payload());
            assertThat(payload.getInt()).isEqualTo(EIO);
            byte[] message = new byte[payload.getShort()];
            payload.get(message);
            assertThat(new String(message, StandardCharsets.UTF_8)).contains("1044480").contains("staged read error");
        }
        assertAnotherClientStillReads();
    }

    @Test
    void sourceErrorAfterASimpleReplyHeaderWasSentDropsTheConnection() throws IOException {
        serve(TestSources.failingAt(FileSource.openReadOnly(file), 1024 * 1024, 4096));
        try (RawNbdClient client = RawNbdClient.connectAndGo(socket)) {
            client.sendRequest(0, 0, 9, 0, 2 * 1024 * 1024);

            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(0, 9));
            assertThat(client.readBytes(1024 * 1024)).isEqualTo(expected(0, 1024 * 1024));
            client.assertServerHangsUp();
        }
        try (RawNbdClient other = RawNbdClient.connectAndGo(socket)) {
            assertThat(other.read(0, 65536)).isEqualTo(expected(0, 65536));
        }
    }
}
