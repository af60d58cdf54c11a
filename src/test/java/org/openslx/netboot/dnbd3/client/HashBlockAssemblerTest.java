package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.dnbd3.protocol.CrcList;

class HashBlockAssemblerTest {
    private static final int BLOCK = 64 << 10;
    private static final Set<ServerAddress> A = Set.of(new ServerAddress("a", 1));
    private static final Set<ServerAddress> B = Set.of(new ServerAddress("b", 1));

    private final byte[] image = TestImages.random(3 * BLOCK - 4096, 1);

    private int crc(int from, int to) {
        return CrcList.crcOf(ByteBuffer.wrap(image, from, to - from));
    }

    @Test
    void piecesArrivingInAnyOrderAssembleTheBlocksCrc() {
        List<int[]> pieces = new ArrayList<>();
        for (int at = BLOCK; at < 2 * BLOCK; at += 5000) {
            pieces.add(new int[] {at, Math.min(at + 5000, 2 * BLOCK)});
        }
        Collections.shuffle(pieces, new Random(7));
        HashBlockAssembler assembler = new HashBlockAssembler(BLOCK, image.length);
        HashBlockAssembler.Assembled done = null;
        for (int i = 0; i < pieces.size(); i++) {
            int[] piece = pieces.get(i);
            done = assembler.add(piece[0], piece[1], crc(piece[0], piece[1]), i % 2 == 0 ? A : B);
            if (i < pieces.size() - 1) {
                assertThat(done).isNull();
            }
        }
        assertThat(done).isNotNull();
        assertThat(done.block()).isEqualTo(1);
        assertThat(done.crc()).isEqualTo(crc(BLOCK, 2 * BLOCK));
        assertThat(done.servers()).containsExactlyInAnyOrder(A.iterator().next(), B.iterator().next());
        assertThat(assembler.tracked()).isZero();
    }

    @Test
    void theShortLastBlockIsCompleteAtTheImageEnd() {
        HashBlockAssembler assembler = new HashBlockAssembler(BLOCK, image.length);
        int start = 2 * BLOCK;
        int middle = start + 1000;
        assertThat(assembler.add(middle, image.length, crc(middle, image.length), A)).isNull();
        HashBlockAssembler.Assembled done = assembler.add(start, middle, crc(start, middle), A);
        assertThat(done.block()).isEqualTo(2);
        assertThat(done.crc()).isEqualTo(crc(start, image.length));
    }

    @Test
    void overlappingPiecesAreIgnoredSoRereadsCannotFakeACompleteBlock() {
        HashBlockAssembler assembler = new HashBlockAssembler(BLOCK, image.length);
        assertThat(assembler.add(0, 4000, crc(0, 4000), A)).isNull();
        assertThat(assembler.add(2000, 6000, crc(2000, 6000), A)).isNull();
        assertThat(assembler.add(4000, BLOCK, crc(4000, BLOCK), A).crc()).isEqualTo(crc(0, BLOCK));
    }

    @Test
    void trackingIsBoundedToTheMostRecentlyTouchedBlocks() {
        byte[] big = new byte[200 * 4096];
        HashBlockAssembler assembler = new HashBlockAssembler(4096, big.length);
        for (int block = 0; block < 200; block++) {
            assembler.add(block * 4096L, block * 4096L + 10, 0, A);
        }
        assertThat(assembler.tracked()).isEqualTo(HashBlockAssembler.MAX_TRACKED_BLOCKS);
    }
}
