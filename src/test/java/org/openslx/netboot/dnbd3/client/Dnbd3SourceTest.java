package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The client against the fake server on loopback: reads, handshake rules, keepalive, close. */
class Dnbd3SourceTest {
    private static final int MIB = 1 << 20;

    @Test
    void readsAreByteExactAtRandomUnalignedOffsetsAndSizes() throws Exception {
        byte[] image = TestImages.random(9 * MIB + 4096 * 3, 11);
        try (FakeDnbd3Server server = new FakeDnbd3Server("demo/root.img", 3, image);
             Dnbd3Source source = Dnbd3Source.open(Dnbd3Url.parse(TestImages.url("demo/root.img", server)),
                     Dnbd3ClientOptions.defaults().withRequestSize(256 << 10))) {
            assertThat(source.size()).isEqualTo(image.length);
            Random random = new Random(5);
            for (int i = 0; i < 300; i++) {
                int offset = random.nextInt(image.length);
                int length = random.nextInt(Math.min(image.length - offset, 3 * MIB) + 1);
                ByteBuffer dst = random.nextBoolean() ? ByteBuffer.allocate(length + 7) : ByteBuffer.allocateDirect(length + 7);
                dst.position(3).limit(3 + length);
                source.read(dst, offset);
                assertThat(dst.position()).isEqualTo(3 + length);
                byte[] got = new byte[length];
                dst.position(3);
                dst.get(got);
                assertThat(got).as("read of %d bytes at %d", length, offset)
                        .isEqualTo(Arrays.copyOfRange(image, offset, offset + length));
            }
        }
    }

    @Test
    void manyThreadsReadConcurrentlyOverOneConnection() throws Exception {
        byte[] image = TestImages.random(8 * MIB, 12);
        try (FakeDnbd3Server server = new FakeDnbd3Server("img", 1, image);
             Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", server));
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                work.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 60; i++) {
                        int offset = random.nextInt(image.length - 1);
                        int length = 1 + random.nextInt(Math.min(image.length - offset, 1536 << 10));
                        ByteBuffer dst = ByteBuffer.allocate(length);
                        source.read(dst, offset);
                        assertThat(dst.array()).isEqualTo(Arrays.copyOfRange(image, offset, offset + length));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            assertThat(server.connectionsAccepted()).as("one data connection plus probes").isLessThanOrEqualTo(1 + 10);
        }
    }

    @Test
    void ridZeroPinsTheServersLatestRevision() throws Exception {
        byte[] image = TestImages.random(64 << 10, 13);
        try (FakeDnbd3Server server = new FakeDnbd3Server("img", 7, image);
             Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", server))) {
            assertThat(source.revision()).isEqualTo(7);
            assertThat(source.imageName()).isEqualTo("img");
            assertThat(source.statistics().image()).contains("revision 7");
        }
    }

    @Test
    void readsOutsideTheImageAreRefusedBeforeAnyRequest() throws Exception {
        try (FakeDnbd3Server server = new FakeDnbd3Server("img", 1, new byte[8192]);
             Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", server))) {
            assertThatThrownBy(() -> source.read(ByteBuffer.allocate(2), 8191))
                    .isInstanceOf(IOException.class).hasMessageContaining("outside");
            source.read(ByteBuffer.allocate(0), 8192);
        }
    }

    @Test
    void openingAnImageNoServerOffersFailsAtOnceNamingTheImage() throws Exception {
        try (FakeDnbd3Server server = new FakeDnbd3Server("img", 1, new byte[8192])) {
            assertThatThrownBy(() -> Dnbd3Source.open(TestImages.url("other", server)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("no dnbd3 server offers 'other'")
                    .hasMessageContaining(server.hostPort());
            assertThatThrownBy(() -> Dnbd3Source.open(TestImages.url("img", server) + "?rid=2"))
                    .hasMessageContaining("'img' revision 2");
        }
    }

    @Test
    void openingWhenNoServerAnswersGivesUpAfterTheConfiguredTime() throws Exception {
        FakeDnbd3Server gone = new FakeDnbd3Server("img", 1, new byte[8192]);
        String url = TestImages.url("img", gone);
        gone.kill();
        assertThatThrownBy(() -> Dnbd3Source.open(Dnbd3Url.parse(url),
                Dnbd3ClientOptions.defaults().withGiveUpAfter(Duration.ofMillis(300))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no dnbd3 server answered for 'img'");
    }

    @Test
    void keepalivesGoToTheCurrentServer() throws Exception {
        try (FakeDnbd3Server server = new FakeDnbd3Server("img", 1, new byte[8192]);
             Dnbd3Source source = Dnbd3Source.open(Dnbd3Url.parse(TestImages.url("img", server)),
                     Dnbd3ClientOptions.defaults().withKeepaliveInterval(Duration.ofMillis(100)))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (server.keepalivesReceived() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(server.keepalivesReceived()).isGreaterThanOrEqualTo(3);
            assertThat(source.statistics().switches()).isZero();
        }
    }

    @Test
    void closeFailsWaitingReadsAndLaterReadsClearly() throws Exception {
        try (FakeDnbd3Server server = new FakeDnbd3Server("img", 1, new byte[4 * MIB])) {
            Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", server));
            server.freeze();
            Future<?> reader = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                source.read(ByteBuffer.allocate(MIB), 0);
                return null;
            });
            Thread.sleep(200);
            source.close();
            assertThatThrownBy(reader::get).hasRootCauseMessage("dnbd3://" + server.hostPort() + "/img: the dnbd3 client was closed");
            assertThatThrownBy(() -> source.read(ByteBuffer.allocate(1), 0)).hasMessageContaining("closed");
            server.thaw();
        }
    }

    @Test
    void closeStopsTheClientsThreads() throws Exception {
        try (FakeDnbd3Server server = new FakeDnbd3Server("threads-test", 1, new byte[8192])) {
            Dnbd3Source source = Dnbd3Source.open(TestImages.url("threads-test", server));
            source.read(ByteBuffer.allocate(100), 0);
            assertThat(clientThreads(server)).isNotEmpty();
            source.close();
            assertThat(clientThreads(server)).isEmpty();
        }
    }

    /** The live receive and supervisor threads of clients of this server or image. */
    private static List<String> clientThreads(FakeDnbd3Server server) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.equals("dnbd3-receive " + server.address())
                        || name.equals("dnbd3-supervisor threads-test"))
                .toList();
    }

    @Test
    void serversAnnouncedByGetServersAreLearnt() throws Exception {
        byte[] image = TestImages.random(64 << 10, 14);
        try (FakeDnbd3Server other = new FakeDnbd3Server("img", 1, image);
             FakeDnbd3Server first = new FakeDnbd3Server("img", 1, image).advertising(FakeDnbd3Server.entries(other));
             Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", first))) {
            assertThat(source.statistics().servers()).extracting(Dnbd3Statistics.Server::address)
                    .containsExactly(first.address(), other.address());
            assertThat(source.statistics().servers().get(1).learnt()).isTrue();
        }
    }
}
