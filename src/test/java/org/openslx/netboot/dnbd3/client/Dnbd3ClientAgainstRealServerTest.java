package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.dnbd3.server.AltServer;
import org.openslx.netboot.dnbd3.server.AltServers;
import org.openslx.netboot.dnbd3.server.CrcListWriter;
import org.openslx.netboot.dnbd3.server.Dnbd3Server;
import org.openslx.netboot.net.PortListener;

/**
 * Our client against our real server (package dnbd3.server) on loopback: an image whose size is
 * not a multiple of 4 KiB, its CRC list, the server's alt-servers, and failover when a server
 * shuts down. (Against the reference dnbd3-server the client is checked outside the suite.)
 */
class Dnbd3ClientAgainstRealServerTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path base;
    private final List<AutoCloseable> running = new ArrayList<>();
    private byte[] image;
    private long virtualSize;

    @BeforeEach
    void writeImage() throws IOException {
        image = TestImages.random(20 * MIB + 1000, 41);
        virtualSize = (image.length + 4095) / 4096 * 4096L;
        Path file = Files.createDirectories(base.resolve("rz")).resolve("demo.img.r1");
        Files.write(file, image);
        CrcListWriter.write(file, done -> { });
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : running.reversed()) {
            closeable.close();
        }
    }

    /** A real server on a loopback port; returns its listener (close it to kill the server). */
    private PortListener startServer(AltServers alternatives) throws IOException {
        Dnbd3Server server = Dnbd3Server.start(base, alternatives, Dnbd3Server.Settings.DEFAULT);
        running.add(server);
        PortListener listener = server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), false);
        running.add(listener);
        return listener;
    }

    private static String hostPort(PortListener listener) {
        return "127.0.0.1:" + listener.boundAddresses().getFirst().getPort();
    }

    private byte[] expected(long offset, int length) {
        byte[] bytes = new byte[length];
        if (offset < image.length) {
            int available = (int) Math.min(length, image.length - offset);
            System.arraycopy(image, (int) offset, bytes, 0, available);
        }
        return bytes; // past the real end: the zero padding up to the 4 KiB-rounded size
    }

    @Test
    void wholeImageWithZeroPaddedTailIsReadAndEveryHashBlockVerified() throws Exception {
        PortListener server = startServer(AltServers.none());
        try (Dnbd3Source source = Dnbd3Source.open("dnbd3://" + hostPort(server) + "/rz/demo.img")) {
            assertThat(source.size()).isEqualTo(virtualSize);
            assertThat(source.revision()).isEqualTo(1);
            ByteBuffer all = ByteBuffer.allocateDirect((int) virtualSize);
            source.read(all, 0);
            byte[] got = new byte[(int) virtualSize];
            all.flip().get(got);
            assertThat(got).isEqualTo(expected(0, (int) virtualSize));
            Dnbd3Statistics stats = source.statistics();
            assertThat(stats.crcListPresent()).isTrue();
            assertThat(stats.hashBlocksVerified()).isEqualTo(2);
            assertThat(stats.hashBlocksFailed()).isZero();
            assertThat(stats.switches()).as("21 pipelined requests on one connection").isZero();
        }
    }

    @Test
    void randomUnalignedReadsAreByteExact() throws Exception {
        PortListener server = startServer(AltServers.none());
        try (Dnbd3Source source = Dnbd3Source.open("dnbd3://" + hostPort(server) + "/rz/demo.img?rid=1")) {
            Random random = new Random(3);
            for (int i = 0; i < 200; i++) {
                long offset = random.nextLong(virtualSize);
                int length = random.nextInt((int) Math.min(virtualSize - offset, 3 * MIB) + 1);
                ByteBuffer dst = ByteBuffer.allocate(length);
                source.read(dst, offset);
                assertThat(dst.array()).as("%d bytes at %d", length, offset).isEqualTo(expected(offset, length));
            }
        }
    }

    @Test
    void ridZeroPinsTheNewestRevisionOnTheServer() throws Exception {
        Files.write(base.resolve("rz/demo.img.r2"), Arrays.copyOf(image, 8192));
        PortListener server = startServer(AltServers.none());
        try (Dnbd3Source source = Dnbd3Source.open("dnbd3://" + hostPort(server) + "/rz/demo.img")) {
            assertThat(source.revision()).isEqualTo(2);
            assertThat(source.size()).isEqualTo(8192);
        }
    }

    @Test
    void learnsTheAltServerAndFailsOverToItWhenTheServerShutsDown() throws Exception {
        PortListener second = startServer(AltServers.none());
        InetSocketAddress secondAddress = second.boundAddresses().getFirst();
        PortListener first = startServer(AltServers.of(List.of(
                new AltServer(secondAddress, "second", false, false, List.of()))));
        try (Dnbd3Source source = Dnbd3Source.open(Dnbd3Url.parse("dnbd3://" + hostPort(first) + "/rz/demo.img"),
                Dnbd3ClientOptions.defaults().withGiveUpAfter(Duration.ofSeconds(20)))) {
            assertThat(source.statistics().servers()).extracting(s -> s.address().toString())
                    .contains(hostPort(second));
            ByteBuffer chunk = ByteBuffer.allocate(MIB);
            for (long at = 0; at < virtualSize; at += MIB) {
                if (at == 5L * MIB) {
                    first.close();
                }
                int length = (int) Math.min(MIB, virtualSize - at);
                source.read(chunk.clear().limit(length), at);
                assertThat(Arrays.copyOf(chunk.array(), length)).as("at %d", at).isEqualTo(expected(at, length));
            }
            Dnbd3Statistics stats = source.statistics();
            assertThat(stats.currentServer().toString()).isEqualTo(hostPort(second));
            assertThat(stats.switches()).isEqualTo(1);
            assertThat(stats.hashBlocksVerified()).as("both blocks assembled from 1 MiB reads").isEqualTo(2);
        }
    }
}
