package org.openslx.netboot.block.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.openslx.netboot.block.BlockSource;

/**
 * The qcow2 file underneath the decoder, with reads that check bounds first so that every
 * structure pointing outside the file is reported by name instead of as a bare range error.
 */
final class ImageFile {
    private final BlockSource source;
    private final long size;

    ImageFile(BlockSource source) {
        this.source = source;
        this.size = source.size();
    }

    BlockSource source() {
        return source;
    }

    long size() {
        return size;
    }

    String name() {
        return source.describe();
    }

    /** Whether {@code length} bytes at {@code offset} lie inside the file (overflow-safe). */
    boolean contains(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    /**
     * Reads {@code length} bytes at {@code offset}; {@code what} names the structure for the
     * error, e.g. "L1 table" or "L2 table for guest offset 0x10000".
     */
    byte[] read(long offset, int length, String what) throws IOException {
        requireInside(offset, length, what);
        byte[] bytes = new byte[length];
        source.read(ByteBuffer.wrap(bytes), offset);
        return bytes;
    }

    void read(ByteBuffer dst, long offset, String what) throws IOException {
        requireInside(offset, dst.remaining(), what);
        source.read(dst, offset);
    }

    void requireInside(long offset, long length, String what) throws IOException {
        if (!contains(offset, length)) {
            throw error(what + " at offset " + hex(offset) + " (" + length
                    + " bytes) lies past the end of the file (size " + size + ")");
        }
    }

    IOException error(String message) {
        return new IOException(name() + ": " + message);
    }

    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
