package org.openslx.netboot.dnbd3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CrcListWriterTest {
    @TempDir
    Path dir;

    /** The reference format written out independently: per 16 MiB block of the zero-padded data. */
    private static byte[] expectedCrcFile(byte[] data) {
        int virtual = (data.length + 4095) / 4096 * 4096;
        byte[] padded = Arrays.copyOf(data, virtual);
        int blocks = (data.length + (1 << 24) - 1) >> 24;
        ByteBuffer list = ByteBuffer.allocate(4 * blocks).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < blocks; b++) {
            CRC32 crc = new CRC32();
            int start = b << 24;
            crc.update(padded, start, Math.min(1 << 24, virtual - start));
            list.putInt((int) crc.getValue());
        }
        CRC32 master = new CRC32();
        master.update(list.array());
        return ByteBuffer.allocate(4 + list.capacity()).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) master.getValue()).put(list.array()).array();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 4096, 5000, (16 << 20), (16 << 20) + 1, (33 << 20) + 123})
    void crcFileMatchesTheReferenceLayoutIncludingZeroPadding(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Path image = Files.write(dir.resolve("img.r1"), data);
        long[] lastProgress = {-1};
        Path crc = CrcListWriter.write(image, done -> lastProgress[0] = done);
        assertThat(crc).isEqualTo(dir.resolve("img.r1.crc"));
        assertThat(Files.readAllBytes(crc)).isEqualTo(expectedCrcFile(data));
        if (size > 0) {
            assertThat(lastProgress[0]).isEqualTo(size);
        }
    }
}
