package org.openslx.netboot.dnbd3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.dnbd3.protocol.Command;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.LatestRidReply;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.RequestHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageReply;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;
import org.openslx.netboot.dnbd3.protocol.ServerEntry;

/** The server's answers to well-behaved clients, over loopback. */
class Dnbd3ServerLoopbackTest extends Dnbd3ServerTestBase {

    @Test
    void selectImageReplyCarriesVersionNameRidAndSizeRoundedTo4KiB() throws Exception {
        start();
        image("rz/test.img.r4", 10_000, 1);
        try (RawClient client = connect()) {
            SelectImageReply reply = client.select("rz/test.img", 4);
            assertThat(reply).isEqualTo(new SelectImageReply(3, "rz/test.img", 4, 12_288));
        }
    }

    @Test
    void version2ClientGetsVersion2Echoed() throws Exception {
        start();
        image("old.r1", 4096, 1);
        try (RawClient client = connect()) {
            client.send(new SelectImageRequest(2, "old", 1, 0).encode());
            ReplyHeader header = client.reply();
            SelectImageReply reply = SelectImageReply.decodePayload(ByteBuffer.wrap(client.bytes(header.size())));
            assertThat(reply.protocolVersion()).isEqualTo(2);
        }
    }

    @Test
    void ridZeroSelectsLatestAndARevisionAddedWhileRunningIsFound() throws Exception {
        start();
        image("img.r1", 4096, 1);
        image("img.r2", 8192, 2);
        try (RawClient client = connect()) {
            assertThat(client.select("img", 0).rid()).isEqualTo(2);
        }
        image("img.r3", 4096 * 3, 3);
        try (RawClient client = connect()) {
            SelectImageReply reply = client.select("img", 0);
            assertThat(reply.rid()).isEqualTo(3);
            assertThat(reply.imageSize()).isEqualTo(4096 * 3);
            client.request(RequestHeader.of(Command.LATEST_RID, 0, 9));
            ReplyHeader header = client.reply();
            assertThat(header.is(Command.LATEST_RID)).isTrue();
            assertThat(LatestRidReply.decodePayload(ByteBuffer.wrap(client.bytes(header.size()))).rid()).isEqualTo(3);
        }
        try (RawClient client = connect()) {
            assertThat(client.select("img", 1).rid()).isEqualTo(1);
        }
    }

    @Test
    void unalignedReadsAreByteExactIncludingTheZeroPaddedTail() throws Exception {
        start();
        int size = 3 * 1024 * 1024 + 1234;
        byte[] data = image("data.r1", size, 42);
        byte[] virtual = Arrays.copyOf(data, (size + 4095) / 4096 * 4096);
        Random random = new Random(7);
        try (RawClient client = connect()) {
            client.select("data", 1);
            for (int i = 0; i < 300; i++) {
                int offset = random.nextInt(virtual.length);
                int length = random.nextInt(Math.min(virtual.length - offset, i % 3 == 0 ? 2 << 20 : 20_000) + 1);
                byte[] got = client.getBlock(offset, length, i);
                assertThat(got).as("read %d bytes at %d", length, offset)
                        .isEqualTo(Arrays.copyOfRange(virtual, offset, offset + length));
            }
            assertThat(client.getBlock(virtual.length - 100, 100, 1)).isEqualTo(new byte[100]);
            assertThat(client.getBlock(0, 0, 2)).isEmpty();
            assertThat(client.getBlock(0, virtual.length, 3)).isEqualTo(virtual);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderWithTheirHandles() throws Exception {
        start();
        byte[] data = image("p.r1", 1 << 20, 5);
        try (RawClient client = connect()) {
            client.select("p", 1);
            for (int i = 0; i < 32; i++) {
                client.request(RequestHeader.getBlock(i * 30_000L, 20_000 + i * 1000L, 1000 + i));
            }
            client.request(RequestHeader.of(Command.KEEPALIVE, 0, 77));
            for (int i = 0; i < 32; i++) {
                ReplyHeader reply = client.reply();
                assertThat(reply.handle()).isEqualTo(1000 + i);
                assertThat(client.bytes(reply.size()))
                        .isEqualTo(Arrays.copyOfRange(data, i * 30_000, i * 30_000 + 20_000 + i * 1000));
            }
            // The reference repeats the last GET_BLOCK's handle (1031) on non-block replies.
            assertThat(client.reply()).isEqualTo(ReplyHeader.of(Command.KEEPALIVE, 0, 1031));
        }
    }

    @Test
    void getCrc32ReturnsTheListWhoseMasterIsTheCrcOfTheListBytes() throws Exception {
        start();
        image("c.r1", (20 << 20) + 5, 9);
        CrcListWriter.write(base.resolve("c.r1"), done -> { });
        image("n.r1", 4096, 9);
        server.images().scan();
        try (RawClient client = connect()) {
            client.select("c", 1);
            client.request(RequestHeader.of(Command.GET_CRC32, 0, 5));
            ReplyHeader header = client.reply();
            assertThat(header.is(Command.GET_CRC32)).isTrue();
            assertThat(header.size()).isEqualTo(4 * 3);
            ByteBuffer payload = ByteBuffer.wrap(client.bytes(header.size())).order(ByteOrder.LITTLE_ENDIAN);
            CRC32 crc = new CRC32();
            crc.update(payload.array(), 4, 8);
            assertThat(payload.getInt(0)).isEqualTo((int) crc.getValue());
            CrcList list = CrcList.decode(payload);
            byte[] first = Arrays.copyOf(Files.readAllBytes(base.resolve("c.r1")), 16 << 20);
            assertThat(list.matches(0, ByteBuffer.wrap(first))).isTrue();
        }
        try (RawClient client = connect()) {
            client.select("n", 1);
            client.request(RequestHeader.of(Command.GET_CRC32, 0, 5));
            assertThat(client.reply().size()).isZero();
        }
    }

    @Test
    void getServersAnswersFromTheAltServersFileClosestFirst() throws Exception {
        Path file = java.nio.file.Files.createTempFile(dir, "alt", "");
        Files.writeString(file, """
                [10.9.9.9]
                comment=far
                [127.0.0.2:5004]
                comment=near
                [127.1.0.1]
                for=replication
                """);
        start(AltServers.fromFile(file), Dnbd3Server.Settings.DEFAULT);
        image("i.r1", 4096, 1);
        try (RawClient client = connect()) {
            client.select("i", 1);
            client.request(RequestHeader.of(Command.GET_SERVERS, 0, 1));
            ReplyHeader header = client.reply();
            assertThat(header.is(Command.GET_SERVERS)).isTrue();
            List<ServerEntry> entries = ServerEntry.decodeList(ByteBuffer.wrap(client.bytes(header.size())));
            assertThat(entries).extracting(ServerEntry::socketAddress).containsExactly(
                    new InetSocketAddress("127.0.0.2", 5004), new InetSocketAddress("10.9.9.9", 5003));
        }
    }

    @Test
    void getServersWithoutAltServersIsEmpty() throws Exception {
        start();
        image("i.r1", 4096, 1);
        try (RawClient client = connect()) {
            client.select("i", 1);
            client.request(RequestHeader.of(Command.GET_SERVERS, 0, 1));
            assertThat(client.reply()).isEqualTo(ReplyHeader.of(Command.GET_SERVERS, 0, 0));
        }
    }

    @Test
    void keepalivesKeepAnOtherwiseIdleClientConnectedPastTheIdleTimeout() throws Exception {
        start();
        image("k.r1", 4096, 1);
        try (RawClient client = connect()) {
            client.select("k", 1);
            for (int i = 0; i < 12; i++) { // 6 s, idle timeout is 4 s
                Thread.sleep(500);
                client.request(RequestHeader.of(Command.KEEPALIVE, 0, i));
                assertThat(client.reply()).isEqualTo(ReplyHeader.of(Command.KEEPALIVE, 0, 0));
            }
            assertThat(client.getBlock(0, 10, 1)).hasSize(10);
        }
    }

    @Test
    void statusJsonListsClientsImagesAndBytesSentAndCurlCanReadIt() throws Exception {
        start();
        image("s/one.r2", 8192, 1);
        try (RawClient client = connect()) {
            client.select("s/one", 2);
            client.getBlock(0, 5000, 1);
            // The server counts a block once its last byte is written, a moment after we read it.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.stats().bytesSent() < 5000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Dnbd3Stats stats = server.stats();
            assertThat(stats.bytesSent()).isEqualTo(5000);
            assertThat(stats.clients()).singleElement().satisfies(c -> {
                assertThat(c.image()).isEqualTo("s/one");
                assertThat(c.rid()).isEqualTo(2);
                assertThat(c.bytesSent()).isEqualTo(5000);
                assertThat(c.address()).startsWith("127.0.0.1:");
            });
            assertThat(stats.images()).containsExactly(new Dnbd3Stats.ImageInfo("s/one", 2, 8192, 1, false));

            String url = "http://127.0.0.1:" + address.getPort() + "/query?q=stats&q=images&q=clients";
            Process curl = new ProcessBuilder("curl", "-sS", "--fail", url).redirectErrorStream(true).start();
            String json = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor()).as(json).isZero();
            assertThat(json).startsWith("{\"runId\":").contains("\"bytesSent\":5000", "\"clientCount\":1",
                    "\"clients\":[{\"address\":\"127.0.0.1:", "\"image\":\"s/one\"",
                    "\"images\":[{\"name\":\"s/one\",\"rid\":2,\"size\":8192,\"users\":1");
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + "/status")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.headers().firstValue("content-type")).contains("application/json");
        assertThat(status.body()).contains("\"clients\":[]", "\"altservers\":[]", "\"bytesSent\":5000");
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + "/nothing")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void statusIsRefusedToNonLoopbackPeersUnlessAllowed() throws Exception {
        start();
        // A request record as the HTTP service would hand it over for a peer on another machine;
        // a real remote peer is impossible here (the test machine has only loopback to use).
        var remote = new org.openslx.netboot.net.http.HttpRequest("GET", "/status", "/status", Map.of(), Map.of(),
                new InetSocketAddress("192.0.2.77", 40000));
        assertThat(server.statusHandler(false).handle(remote).status()).isEqualTo(403);
        assertThat(server.statusHandler(true).handle(remote).status()).isEqualTo(200);
    }

    @Test
    void clientsBeyondThePlatformThreadLimitAreServedOnVirtualThreadsAlike() throws Exception {
        start(AltServers.none(), new Dnbd3Server.Settings(Duration.ofSeconds(2), Duration.ofSeconds(4), 2));
        byte[] data = image("many.r1", 3 << 20, 11);
        Dnbd3ConnectionHandler handler = (Dnbd3ConnectionHandler) server.handler();
        List<RawClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                RawClient client = connect();
                clients.add(client);
                client.select("many", 1);
            }
            // Every client has had its SELECT_IMAGE answered, so every connection runs by now.
            assertThat(handler.platformThreadsInUse()).isEqualTo(2);
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < clients.size(); i++) {
                    int offset = (i * 700_001 + round * 123_457) % (data.length - (1 << 20));
                    assertThat(clients.get(i).getBlock(offset, 1 << 20, round))
                            .as("client %d, round %d", i, round)
                            .isEqualTo(Arrays.copyOfRange(data, offset, offset + (1 << 20)));
                }
            }
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void byDefaultSixtyFourConnectionsGetAPlatformThreadAndTheRestAreServedOnVirtualThreads()
            throws Exception {
        start();
        byte[] data = image("fleet.r1", 4 << 20, 12);
        Dnbd3ConnectionHandler handler = (Dnbd3ConnectionHandler) server.handler();
        List<RawClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < ConnectionThreads.DEFAULT_PLATFORM_LIMIT + 4; i++) {
                RawClient client = connect();
                clients.add(client);
                client.select("fleet", 1);
            }
            assertThat(handler.platformThreadsInUse()).isEqualTo(64);
            for (int i = 0; i < clients.size(); i++) {
                int offset = i * 40_961;
                assertThat(clients.get(i).getBlock(offset, 65_536, i)).as("client %d", i)
                        .isEqualTo(Arrays.copyOfRange(data, offset, offset + 65_536));
            }
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void closingTheServerDisconnectsItsClients() throws Exception {
        start();
        image("x.r1", 4096, 1);
        RawClient client = connect();
        client.select("x", 1);
        listener.close();
        server.close();
        assertThat(client.closedByServer()).isTrue();
        client.close();
    }

    @Test
    void timeoutsAreGenerousEnoughForTheReferenceClients() {
        assertThat(Dnbd3Server.Settings.DEFAULT.idleTimeout()).isGreaterThan(Duration.ofSeconds(10 * 2));
    }
}
