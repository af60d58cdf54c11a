package org.openslx.netboot.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Test images for the NBD tests. */
final class TestFiles {
    private TestFiles() {
    }

    /**
     * Writes {@code size} bytes in which every 8-byte word depends on its offset, so a byte
     * read from the wrong place never matches by accident.
     */
    static Path pattern(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            long offset = 0;
            while (offset < size) {
                buffer.clear();
                int n = (int) Math.min(buffer.capacity(), size - offset);
                for (int i = 0; i < n; i += 8) {
                    buffer.putLong(patternWord(offset + i));
                }
                buffer.limit(n).position(0);
                while (buffer.hasRemaining()) {
                    offset += channel.write(buffer, offset);
                }
            }
        }
        return file;
    }

    private static long patternWord(long offset) {
        return (offset + 1) * 0x9E3779B97F4A7C15L;
    }
}
