package org.openslx.netboot.block.qcow2;

import static org.openslx.netboot.block.qcow2.ImageFile.hex;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The active L1 table: for each range of guest clusters covered by one L2 table, where that L2
 * table lies in the file. Internal snapshots keep their own L1 tables; only the active one
 * (named in the header) describes what the guest sees now.
 */
final class L1Table {
    /** Bits 9-55 of an L1 entry: the L2 table offset. Bit 63 (COPIED) is for writers only. */
    static final long OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;

    private final ImageFile file;
    private final long[] entries;
    private final int clusterSize;

    private L1Table(ImageFile file, long[] entries, int clusterSize) {
        this.file = file;
        this.entries = entries;
        this.clusterSize = clusterSize;
    }

    /**
     * Loads the entries that cover the virtual size. The header reader has bounded their number
     * (32 MiB at most) and checked that they lie inside the file.
     */
    static L1Table load(ImageFile file, Qcow2Header header) throws IOException {
        int count = Math.toIntExact(header.l1EntriesNeeded());
        ByteBuffer raw = ByteBuffer.wrap(file.read(header.l1TableOffset(), count * 8, "L1 table"));
        long[] entries = new long[count];
        raw.asLongBuffer().get(entries);
        return new L1Table(file, entries, header.clusterSize());
    }

    /**
     * The file offset of L2 table {@code index}, or 0 when that L2 table is unallocated.
     *
     * @param guestOffset the guest offset being read, for the error message
     */
    long l2TableOffset(int index, long guestOffset) throws IOException {
        long offset = entries[index] & OFFSET_MASK;
        if (offset == 0) {
            return 0;
        }
        if ((offset & (clusterSize - 1)) != 0) {
            throw file.error("L2 table offset " + hex(offset) + " in L1 entry " + index
                    + " for guest offset " + hex(guestOffset) + " is not aligned to the cluster size "
                    + clusterSize);
        }
        if (!file.contains(offset, clusterSize)) {
            throw file.error("L2 table offset " + hex(offset) + " in L1 entry " + index
                    + " for guest offset " + hex(guestOffset)
                    + " lies past the end of the file (size " + file.size() + ")");
        }
        return offset;
    }
}
