package org.openslx.netboot.dnbd3.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
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
    @ValueSource(ints = {1, 4095, 4096, 5000, (16 << 20), (16 << 20) + 1, (33 << 20) + 123})
    void crcFileMatchesTheReferenceLayoutIncludingZeroPadding(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Path image = Files.write(dir.resolve("img.r1"), data);
        long[] lastProgress = {-1};
        Path crc = CrcListWriter.write(image, done -> lastProgress[0] = done);
        assertThat(crc).isEqualTo(dir.resolve("img.r1.crc"));
        assertThat(Files.readAllBytes(crc)).isEqualTo(expectedCrcFile(data));
        assertThat(lastProgress[0]).isEqualTo(size);
    }

    @Test
    void crcFileBytesMatchZlibForAKnownImage() throws Exception {
        // Expected bytes computed with Python's zlib.crc32 (the reference uses zlib's CRC-32,
        // src/shared/crc32.c): image_generateCrcFile() in src/server/image.c writes the u32 LE master
        // (CRC of the list bytes) then one u32 LE per 16 MiB, the last block zero-padded to 4 KiB.
        // Observed (issue 3): `dnbd3-server --crc known.r1` built from the reference wrote exactly
        // these 12 bytes for this file.
        int size = (16 << 20) + 5000;
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        Path image = Files.write(dir.resolve("known.r1"), data);
        Path crc = CrcListWriter.write(image, done -> { });
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(crc))).isEqualTo("4e64f212" + "36b06d34" + "484a540c");
    }

    @Test
    void emptyImageIsRefusedAsDnbd3ServerCrcRefusesIt() throws Exception {
        // src/server/image.c image_generateCrcFile(): "Error seeking to end, or file is empty." and no file.
        Path image = Files.write(dir.resolve("empty.r1"), new byte[0]);
        assertThatThrownBy(() -> CrcListWriter.write(image, done -> { }))
                .isInstanceOf(IOException.class).hasMessageContaining("empty");
        assertThat(dir.resolve("empty.r1.crc")).doesNotExist();
    }
}
