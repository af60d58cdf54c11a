package org.openslx.netboot.block.qcow2;

/**
 * Finds where a zstd frame ends by walking its header and block headers (RFC 8878, section 3.1),
 * without decoding it. qemu's compressed clusters are followed by sector padding or by the next
 * cluster's data, and a decoder handed those bytes would take them for another frame.
 */
final class ZstdFrames {
    static final int MAGIC = 0xFD2FB528;
    private static final int SKIPPABLE_MAGIC_MASK = 0xFFFFFFF0;
    private static final int SKIPPABLE_MAGIC = 0x184D2A50;

    private ZstdFrames() {
    }

    /** Whether {@code data[offset..]} starts a skippable frame (which holds no cluster bytes). */
    static boolean isSkippable(byte[] data, int offset, int end) {
        return end - offset >= 4 && (le32(data, offset) & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC;
    }

    /**
     * The length of the frame starting at {@code offset}, or -1 if the bytes up to {@code end}
     * do not hold a complete, well-formed frame.
     */
    static int frameLength(byte[] data, int offset, int end) {
        if (end - offset < 8) {
            return -1;
        }
        int magic = le32(data, offset);
        if ((magic & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC) {
            long length = 8 + Integer.toUnsignedLong(le32(data, offset + 4));
            return length <= end - offset ? (int) length : -1;
        }
        if (magic != MAGIC) {
            return -1;
        }
        int p = offset + 4;
        int descriptor = data[p++] & 0xff;
        int contentSizeFlag = descriptor >>> 6;
        boolean singleSegment = (descriptor & 0x20) != 0;
        boolean checksum = (descriptor & 0x04) != 0;
        if ((descriptor & 0x08) != 0) {
            return -1; // reserved bit
        }
        p += singleSegment ? 0 : 1;
        p += new int[] {0, 1, 2, 4}[descriptor & 3];
        p += contentSizeFlag == 0 ? (singleSegment ? 1 : 0) : new int[] {0, 2, 4, 8}[contentSizeFlag];
        boolean last = false;
        // Each block advances p by at least 3 bytes, so this loop ends.
        while (!last) {
            if (end - p < 3) {
                return -1;
            }
            int blockHeader = (data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16;
            last = (blockHeader & 1) != 0;
            int type = (blockHeader >>> 1) & 3;
            int size = blockHeader >>> 3;
            p += 3 + switch (type) {
                case 0, 2 -> size; // raw or compressed: size bytes follow
                case 1 -> 1; // RLE: one byte, repeated size times
                default -> {
                    yield end; // reserved type: make the frame overrun
                }
            };
            if (p > end || p < 0) {
                return -1;
            }
        }
        p += checksum ? 4 : 0;
        return p <= end ? p - offset : -1;
    }

    private static int le32(byte[] data, int offset) {
        return (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8
                | (data[offset + 2] & 0xff) << 16 | (data[offset + 3] & 0xff) << 24;
    }
}
