package org.openslx.netboot.block.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.openslx.netboot.block.BlockSource;

/** Bounds-checked little-endian reads from a disk, for the table and superblock parsers. */
final class Disk {
    static final int SECTOR = 512;

    private Disk() {
    }

    /** Reads {@code length} bytes at {@code offset}, or throws naming {@code what}. */
    static ByteBuffer read(BlockSource disk, long offset, int length, String what) throws IOException {
        if (!inside(disk, offset, length)) {
            throw new IOException(disk.describe() + ": " + what + " at byte " + offset + " (" + length
                    + " bytes) lies past the end of the disk (size " + disk.size() + ")");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        disk.read(buffer, offset);
        return buffer.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    static boolean inside(BlockSource disk, long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= disk.size() && length <= disk.size() - offset;
    }
}
