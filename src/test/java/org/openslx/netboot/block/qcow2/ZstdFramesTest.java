package org.openslx.netboot.block.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlift.compress.v3.zstd.ZstdJavaCompressor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZstdFramesTest {
    private static byte[] frame(byte[] content) {
        ZstdJavaCompressor compressor = new ZstdJavaCompressor();
        byte[] out = new byte[compressor.maxCompressedLength(content.length)];
        int length = compressor.compress(content, 0, content.length, out, 0, out.length);
        return Arrays.copyOf(out, length);
    }

    @Test
    void frameLengthIgnoresPaddingAndWhateverFollows() {
        byte[] content = new byte[65536];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 % 13);
        }
        byte[] frame = frame(content);
        byte[] padded = Arrays.copyOf(frame, frame.length + 700);
        Arrays.fill(padded, frame.length, padded.length, (byte) 0x5a);
        assertThat(ZstdFrames.frameLength(padded, 0, padded.length)).isEqualTo(frame.length);
    }

    @Test
    void truncatedOrForeignDataHasNoFrameLength() {
        byte[] frame = frame(new byte[4096]);
        assertThat(ZstdFrames.frameLength(frame, 0, frame.length - 1)).isEqualTo(-1);
        assertThat(ZstdFrames.frameLength(new byte[64], 0, 64)).isEqualTo(-1);
    }

    @Test
    void clusterSplitOverTwoFramesDecompressesWhole() {
        byte[] cluster = new byte[8192];
        new Random(2).nextBytes(cluster);
        byte[] first = frame(Arrays.copyOfRange(cluster, 0, 3000));
        byte[] second = frame(Arrays.copyOfRange(cluster, 3000, 8192));
        byte[] input = new byte[first.length + second.length + 512];
        System.arraycopy(first, 0, input, 0, first.length);
        System.arraycopy(second, 0, input, first.length, second.length);
        byte[] out = new byte[8192];
        assertThat(ZstdClusterDecompressor.java().decompress(MemorySegment.ofArray(input), MemorySegment.ofArray(out))).isNull();
        assertThat(out).isEqualTo(cluster);
    }

    @Test
    void shortStreamIsReportedNotZeroPadded() {
        byte[] input = frame(new byte[1000]);
        String problem = ZstdClusterDecompressor.java().decompress(MemorySegment.ofArray(input),
                MemorySegment.ofArray(new byte[4096]));
        assertThat(problem).contains("after 1000 of 4096 bytes");
    }
}
