package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.dnbd3.protocol.CrcList;

/**
 * CRC checks of whole 16 MiB blocks: a server that delivers a corrupt block is caught, the block
 * is fetched again from another server, and the event is reported.
 */
class Dnbd3IntegrityTest {
    private static final int MIB = 1 << 20;
    private static final int HASH_BLOCK = 16 * MIB;

    private final byte[] image = TestImages.random(3 * HASH_BLOCK - 5 * 4096, 31);
    private final CrcList crcs = FakeDnbd3Server.crcListOf(image);
    private final List<FakeDnbd3Server> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(FakeDnbd3Server::kill);
    }

    /** A server whose block 1 is damaged in one byte range, advertising a healthy second server. */
    private FakeDnbd3Server damagedWithHealthyAlternative() throws IOException {
        FakeDnbd3Server healthy = track(new FakeDnbd3Server("img", 1, image).withCrcList(crcs));
        return track(new FakeDnbd3Server("img", 1, image).withCrcList(crcs)
                .corrupting(HASH_BLOCK + 5 * MIB + 17, HASH_BLOCK + 5 * MIB + 21)
                .advertising(FakeDnbd3Server.entries(healthy)));
    }

    private FakeDnbd3Server track(FakeDnbd3Server server) {
        servers.add(server);
        return server;
    }

    @Test
    void aWholeBlockReadThatFailsItsCrcIsFetchedAgainFromAnotherServerAndReported() throws Exception {
        FakeDnbd3Server damaged = damagedWithHealthyAlternative();
        try (Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", damaged))) {
            ByteBuffer block = ByteBuffer.allocateDirect(HASH_BLOCK);
            source.read(block, HASH_BLOCK);

            assertThat(block.flip()).isEqualTo(ByteBuffer.wrap(image, HASH_BLOCK, HASH_BLOCK));
            Dnbd3Statistics stats = source.statistics();
            assertThat(stats.crcListPresent()).isTrue();
            assertThat(stats.hashBlocksFailed()).isEqualTo(1);
            assertThat(stats.hashBlocksVerified()).isEqualTo(1);
            assertThat(stats.currentServer()).isNotEqualTo(damaged.address());
            assertThat(stats.lastSwitch()).contains("current server delivered hash block 1 with a wrong CRC");
            assertThat(stats.servers().getFirst().refusedBecause()).isEqualTo("delivered hash block 1 with a wrong CRC");
        }
    }

    @Test
    void aBlockAssembledFromSequentialReadsIsCheckedAndABadOneReportedAndLeft() throws Exception {
        FakeDnbd3Server damaged = damagedWithHealthyAlternative();
        try (Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", damaged))) {
            ByteBuffer chunk = ByteBuffer.allocate(MIB);
            for (long at = 0; at < 2L * HASH_BLOCK; at += MIB) {
                source.read(chunk.clear(), at);
            }
            Dnbd3Statistics stats = source.statistics();
            assertThat(stats.hashBlocksVerified()).as("block 0 passes").isEqualTo(1);
            assertThat(stats.hashBlocksFailed()).as("block 1 is caught").isEqualTo(1);
            assertThat(stats.currentServer()).isNotEqualTo(damaged.address());

            ByteBuffer again = ByteBuffer.allocate(4 * MIB);
            source.read(again, HASH_BLOCK + 4 * MIB);
            assertThat(again.flip()).isEqualTo(ByteBuffer.wrap(image, HASH_BLOCK + 4 * MIB, 4 * MIB));
        }
    }

    @Test
    void theShortLastBlockIsCheckedUpToTheImageEnd() throws Exception {
        FakeDnbd3Server server = track(new FakeDnbd3Server("img", 1, image).withCrcList(crcs));
        try (Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", server))) {
            ByteBuffer tail = ByteBuffer.allocate(image.length - 2 * HASH_BLOCK);
            source.read(tail, 2L * HASH_BLOCK);
            assertThat(source.statistics().hashBlocksVerified()).isEqualTo(1);
            assertThat(source.statistics().hashBlocksFailed()).isZero();
        }
    }

    @Test
    void whenEveryServerDeliversTheSameBadBlockTheReadFailsInsteadOfReturningIt() throws Exception {
        FakeDnbd3Server only = track(new FakeDnbd3Server("img", 1, image).withCrcList(crcs)
                .corrupting(100, 101));
        try (Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", only))) {
            assertThatThrownBy(() -> source.read(ByteBuffer.allocate(HASH_BLOCK), 0))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("hash block 0 (bytes 0 to 16777215) failed its CRC check")
                    .hasMessageContaining(only.hostPort());
        }
    }

    @Test
    void aCrcListWithTheWrongNumberOfEntriesIsIgnored() throws Exception {
        FakeDnbd3Server server = track(new FakeDnbd3Server("img", 1, image)
                .withCrcList(new CrcList(new int[] {1, 2})));
        try (Dnbd3Source source = Dnbd3Source.open(TestImages.url("img", server))) {
            source.read(ByteBuffer.allocate(HASH_BLOCK), 0);
            assertThat(source.statistics().crcListPresent()).isFalse();
            assertThat(source.statistics().hashBlocksFailed()).isZero();
        }
    }
}
