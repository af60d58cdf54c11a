package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.dnbd3.protocol.CrcList;

class ReadCrcsTest {
    private static final int HASH_BLOCK = 4096;

    @Property
    void eachHashBlocksShareOfAReadHasTheCrcOfThoseBytesWhateverThePieces(
            @ForAll @IntRange(min = 0, max = 5 * HASH_BLOCK) int offset,
            @ForAll @IntRange(min = 1, max = 6 * HASH_BLOCK) int length,
            @ForAll @IntRange(min = 1, max = 3 * HASH_BLOCK) int pieceSize,
            @ForAll long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        ByteBuffer data = ByteBuffer.allocateDirect(length).put(bytes).clear();
        ReadCrcs crcs = new ReadCrcs(offset, length, HASH_BLOCK);
        for (int at = 0; at < length; at += pieceSize) {
            assertThat(crcs.complete()).isFalse();
            crcs.add(data.slice(at, Math.min(pieceSize, length - at)));
        }
        assertThat(crcs.complete()).isTrue();
        for (long block = offset / HASH_BLOCK; block * HASH_BLOCK < offset + length; block++) {
            int from = (int) Math.max(0, block * HASH_BLOCK - offset);
            int to = (int) Math.min(length, (block + 1) * HASH_BLOCK - offset);
            assertThat(crcs.crcOf(block)).as("block %d", block).isEqualTo(CrcList.crcOf(data.slice(from, to - from)));
        }
    }

    @Test
    void aPieceBeyondTheReadIsRefused() {
        ReadCrcs crcs = new ReadCrcs(0, 100, HASH_BLOCK);
        assertThatThrownBy(() -> crcs.add(ByteBuffer.allocate(101))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void crcsOfAnIncompleteReadAreNotHandedOut() {
        ReadCrcs crcs = new ReadCrcs(0, 100, HASH_BLOCK);
        crcs.add(ByteBuffer.allocate(50));
        assertThatThrownBy(() -> crcs.crcOf(0)).isInstanceOf(IllegalStateException.class);
    }
}
