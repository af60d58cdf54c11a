package org.openslx.netboot.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.openslx.netboot.block.BlockSource;

/** Test images and sources for the NBD tests. */
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

    /**
     * Hides that a source is a plain file, so the server takes the path every filter takes
     * (read into a buffer, then send) rather than sendfile. A delegate, not a mock.
     */
    static BlockSource asFilter(BlockSource inner) {
        return new BlockSource() {
            @Override
            public long size() {
                return inner.size();
            }

            @Override
            public void read(ByteBuffer dst, long offset) throws IOException {
                inner.read(dst, offset);
            }

            @Override
            public String describe() {
                return "filter over " + inner.describe();
            }

            @Override
            public boolean canWrite() {
                return inner.canWrite();
            }

            @Override
            public void write(ByteBuffer src, long offset) throws IOException {
                inner.write(src, offset);
            }

            @Override
            public void flush() throws IOException {
                inner.flush();
            }

            @Override
            public void close() throws IOException {
                inner.close();
            }
        };
    }
}
