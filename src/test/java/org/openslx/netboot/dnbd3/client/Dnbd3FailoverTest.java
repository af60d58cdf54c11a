package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The failover proofs on loopback: the current server killed or frozen in the middle of a read,
 * with two and three servers; reconnects to another image version refused; no server at all.
 */
class Dnbd3FailoverTest {
    private static final int MIB = 1 << 20;
    /**
     * Longest tolerated stall when the current server freezes: the hang bound (at most 3 s) plus
     * the failover to another server (a probe on loopback; 2 s leaves room for a busy machine).
     * The reference fuse client needed 43 s here.
     */
    private static final Duration FROZEN_STALL_LIMIT = Duration.ofSeconds(5);

    private final byte[] image = TestImages.random(40 * MIB, 21);
    private final List<FakeDnbd3Server> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(FakeDnbd3Server::kill);
    }

    private FakeDnbd3Server server(String name, int rid, byte[] content) throws IOException {
        FakeDnbd3Server server = new FakeDnbd3Server(name, rid, content);
        servers.add(server);
        return server;
    }

    private List<FakeDnbd3Server> identicalServers(int count) throws IOException {
        List<FakeDnbd3Server> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(server("img", 1, image));
        }
        return list;
    }

    private static Dnbd3Source open(List<FakeDnbd3Server> list) throws IOException {
        return Dnbd3Source.open(TestImages.url("img", list.toArray(FakeDnbd3Server[]::new)));
    }

    /** A server on the port of one just killed: its listener may take a moment to let go. */
    private FakeDnbd3Server serverOnFreedPort(int port) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return new FakeDnbd3Server("img", 1, image, port);
            } catch (java.net.BindException e) {
                if (attempt >= 50) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private void assertWholeImage(ByteBuffer data) {
        assertThat(data.flip().remaining()).isEqualTo(image.length);
        assertThat(data.equals(ByteBuffer.wrap(image))).as("read data equals the image").isTrue();
    }

    @ParameterizedTest(name = "{0} servers")
    @ValueSource(ints = {2, 3})
    void readCompletesWithCorrectDataWhenTheCurrentServerIsKilledMidRead(int count) throws Exception {
        List<FakeDnbd3Server> list = identicalServers(count);
        try (Dnbd3Source source = open(list)) {
            FakeDnbd3Server current = TestImages.serving(list, source.statistics().currentServer());
            current.killAfterBytes(current.bytesServed() + 7 * MIB);
            ByteBuffer data = ByteBuffer.allocate(image.length);
            source.read(data, 0);

            assertWholeImage(data);
            assertThat(current.isKilled()).isTrue();
            Dnbd3Statistics stats = source.statistics();
            assertThat(stats.currentServer()).isNotEqualTo(current.address());
            assertThat(stats.switches()).isEqualTo(1);
            assertThat(stats.lastSwitch()).startsWith("switched from " + current.address() + " to " + stats.currentServer());
        }
    }

    @ParameterizedTest(name = "{0} servers")
    @ValueSource(ints = {2, 3})
    void readCompletesWithinTheHangBoundWhenTheCurrentServerFreezesMidRead(int count) throws Exception {
        List<FakeDnbd3Server> list = identicalServers(count);
        try (Dnbd3Source source = open(list)) {
            FakeDnbd3Server current = TestImages.serving(list, source.statistics().currentServer());
            current.freezeAfterBytes(current.bytesServed() + 7 * MIB);
            ByteBuffer data = ByteBuffer.allocate(image.length);
            long start = System.nanoTime();
            source.read(data, 0);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertWholeImage(data);
            Dnbd3Statistics stats = source.statistics();
            assertThat(stats.currentServer()).isNotEqualTo(current.address());
            assertThat(stats.lastSwitch()).contains("current server stopped answering (no reply for");
            assertThat(took).as("stall while the current server is frozen").isLessThan(FROZEN_STALL_LIMIT);
        }
    }

    @Test
    void concurrentReadersAllGetCorrectDataAcrossAKill() throws Exception {
        List<FakeDnbd3Server> list = identicalServers(2);
        try (Dnbd3Source source = open(list); ExecutorService pool = Executors.newFixedThreadPool(6)) {
            FakeDnbd3Server current = TestImages.serving(list, source.statistics().currentServer());
            current.killAfterBytes(current.bytesServed() + 10 * MIB);
            List<Future<?>> work = new ArrayList<>();
            int slice = image.length / 6;
            for (int t = 0; t < 6; t++) {
                int offset = t * slice;
                work.add(pool.submit(() -> {
                    for (int at = offset; at < offset + slice; at += 333_333) {
                        int length = Math.min(333_333, offset + slice - at);
                        ByteBuffer dst = ByteBuffer.allocate(length);
                        source.read(dst, at);
                        assertThat(dst.flip()).isEqualTo(ByteBuffer.wrap(image, at, length));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(current.isKilled()).isTrue();
        }
    }

    @Test
    void readsWaitWhileNoServerAnswersAndCompleteWhenOneComesBack() throws Exception {
        FakeDnbd3Server only = server("img", 1, image);
        int port = only.port();
        try (Dnbd3Source source = open(List.of(only)); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            only.kill();
            Future<ByteBuffer> reader = pool.submit(() -> {
                ByteBuffer data = ByteBuffer.allocate(image.length);
                source.read(data, 0);
                return data;
            });
            Thread.sleep(1500);
            assertThat(reader.isDone()).as("the read waits instead of failing").isFalse();
            assertThat(source.statistics().currentServer()).isNull();
            server("img", 1, image).close(); // keep the list tidy; the real comeback is next
            FakeDnbd3Server back = new FakeDnbd3Server("img", 1, image, port);
            servers.add(back);
            assertWholeImage(reader.get(30, TimeUnit.SECONDS));
            assertThat(source.statistics().currentServer()).isEqualTo(back.address());
        }
    }

    @Test
    @Timeout(60) // before Backoff.connectPatience the client retried with 2 s limits for ever
    void aServerSlowerToAnswerThanTheConnectTimeoutIsReachedOnceTheClientWaitsLonger() throws Exception {
        Duration slow = Dnbd3ClientOptions.defaults().connectTimeout().plusMillis(700);
        FakeDnbd3Server loaded = server("img", 1, image).withHandshakeDelay(slow);
        try (Dnbd3Source source = open(List.of(loaded))) {
            assertThat(source.statistics().currentServer()).isEqualTo(loaded.address());
        }
    }

    @Test
    @Timeout(60) // before Backoff.connectPatience the client retried with 2 s limits for ever
    void aFailoverReachesAServerThatNowAnswersSlowerThanTheConnectTimeout() throws Exception {
        FakeDnbd3Server only = server("img", 1, image);
        int port = only.port();
        try (Dnbd3Source source = open(List.of(only)); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            only.kill();
            FakeDnbd3Server back = serverOnFreedPort(port)
                    .withHandshakeDelay(Dnbd3ClientOptions.defaults().connectTimeout().plusMillis(700));
            servers.add(back);
            Future<ByteBuffer> reader = pool.submit(() -> {
                ByteBuffer data = ByteBuffer.allocate(image.length);
                source.read(data, 0);
                return data;
            });
            assertWholeImage(reader.get(30, TimeUnit.SECONDS));
            assertThat(source.statistics().currentServer()).isEqualTo(back.address());
        }
    }

    @Test
    void withAGiveUpTimeReadsFailClearlyWhenNoServerAnswers() throws Exception {
        FakeDnbd3Server only = server("img", 1, image);
        try (Dnbd3Source source = Dnbd3Source.open(Dnbd3Url.parse(TestImages.url("img", only)),
                Dnbd3ClientOptions.defaults().withGiveUpAfter(Duration.ofSeconds(1)))) {
            only.killAfterBytes(only.bytesServed() + 3 * MIB);
            assertThatThrownBy(() -> source.read(ByteBuffer.allocate(image.length), 0))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("no dnbd3 server can serve 'img' revision 1")
                    .hasMessageContaining(only.hostPort());
        }
    }

    @Test
    void aReconnectToAServerWhoseImageHasAnotherSizeIsRefused() throws Exception {
        FakeDnbd3Server other = server("img", 1, TestImages.random(8 * MIB, 3));
        FakeDnbd3Server good = server("img", 1, image);
        FakeDnbd3Server first = server("img", 1, image).advertising(FakeDnbd3Server.entries(other, good));
        try (Dnbd3Source source = open(List.of(first))) {
            first.killAfterBytes(first.bytesServed() + 5 * MIB);
            ByteBuffer data = ByteBuffer.allocate(image.length);
            source.read(data, 0);

            assertWholeImage(data);
            Dnbd3Statistics stats = source.statistics();
            assertThat(stats.currentServer()).isEqualTo(good.address());
            assertThat(refusal(stats, other)).contains("has " + 8 * MIB + " bytes, but this client pinned " + image.length);
        }
    }

    @Test
    void aReconnectToAServerWithAnotherRevisionIsRefused() throws Exception {
        FakeDnbd3Server other = server("img", 2, image);
        FakeDnbd3Server first = server("img", 1, image).advertising(FakeDnbd3Server.entries(other));
        try (Dnbd3Source source = Dnbd3Source.open(Dnbd3Url.parse(TestImages.url("img", first)),
                Dnbd3ClientOptions.defaults().withGiveUpAfter(Duration.ofSeconds(2)))) {
            first.killAfterBytes(first.bytesServed() + 5 * MIB);
            assertThatThrownBy(() -> source.read(ByteBuffer.allocate(image.length), 0))
                    .hasMessageContaining(other.hostPort() + ": closed the connection after SELECT_IMAGE: it does not offer 'img' revision 1");
            assertThat(refusal(source.statistics(), other)).contains("does not offer 'img' revision 1");
            assertThat(other.bytesServed()).as("no data taken from the other revision").isZero();
        }
    }

    @Test
    void movesToAClearlyFasterServerOnceTheStartupProbesAreDone() throws Exception {
        FakeDnbd3Server fast = server("img", 1, image);
        FakeDnbd3Server slow = server("img", 1, image).advertising(FakeDnbd3Server.entries(fast));
        slow.setReplyDelay(Duration.ofMillis(20));
        try (Dnbd3Source source = open(List.of(slow))) {
            assertThat(source.statistics().currentServer()).isEqualTo(slow.address());
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (!fast.address().equals(source.statistics().currentServer()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Dnbd3Statistics stats = source.statistics();
            assertThat(stats.currentServer()).isEqualTo(fast.address());
            assertThat(stats.lastSwitch()).startsWith("switched from " + slow.address() + " to " + fast.address()
                    + ": it answers faster (RTT ");
            assertThat(stats.servers()).allSatisfy(server -> assertThat(server.rtt()).isNotNull());
            ByteBuffer data = ByteBuffer.allocate(image.length);
            source.read(data, 0);
            assertWholeImage(data);
        }
    }

    private static String refusal(Dnbd3Statistics stats, FakeDnbd3Server server) {
        return stats.servers().stream().filter(s -> s.address().equals(server.address())).findFirst()
                .orElseThrow().refusedBecause();
    }
}
