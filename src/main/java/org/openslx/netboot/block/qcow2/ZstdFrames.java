package org.openslx.netboot.block.qcow2;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Finds where a zstd frame ends by walking its header and block headers (RFC 8878, section 3.1),
 * without decoding it. qemu's compressed clusters are followed by sector padding or by the next
 * cluster's data, and a decoder handed those bytes would take them for another frame.
 */
final class ZstdFrames {
    static final int MAGIC = 0xFD2FB528;
    private static final int SKIPPABLE_MAGIC_MASK = 0xFFFFFFF0;
    private static final int SKIPPABLE_MAGIC = 0x184D2A50;
    private static final ValueLayout.OfInt LE32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int[] DICTIONARY_ID_BYTES = {0, 1, 2, 4};
    private static final int[] CONTENT_SIZE_BYTES = {0, 2, 4, 8};

    private ZstdFrames() {
    }

    /** Whether {@code data} starts a skippable frame at {@code offset} (one holding no cluster bytes). */
    static boolean isSkippable(MemorySegment data, long offset) {
        return data.byteSize() - offset >= 4
                && (data.get(LE32, offset) & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC;
    }

    static boolean isSkippable(byte[] data, int offset, int end) {
        return isSkippable(MemorySegment.ofArray(data).asSlice(0, end), offset);
    }

    /**
     * The length of the frame starting at {@code offset}, or -1 if the bytes up to the end of
     * {@code data} do not hold a complete, well-formed frame.
     */
    static long frameLength(MemorySegment data, long offset) {
        long end = data.byteSize();
        if (end - offset < 8) {
            return -1;
        }
        int magic = data.get(LE32, offset);
        if ((magic & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC) {
            long length = 8 + Integer.toUnsignedLong(data.get(LE32, offset + 4));
            return length <= end - offset ? length : -1;
        }
        if (magic != MAGIC) {
            return -1;
        }
        long p = offset + 4;
        int descriptor = byteAt(data, p++);
        int contentSizeFlag = descriptor >>> 6;
        boolean singleSegment = (descriptor & 0x20) != 0;
        boolean checksum = (descriptor & 0x04) != 0;
        if ((descriptor & 0x08) != 0) {
            return -1; // reserved bit
        }
        p += singleSegment ? 0 : 1;
        p += DICTIONARY_ID_BYTES[descriptor & 3];
        p += contentSizeFlag == 0 ? (singleSegment ? 1 : 0) : CONTENT_SIZE_BYTES[contentSizeFlag];
        boolean last = false;
        // Each block advances p by at least 3 bytes, so this loop ends.
        while (!last) {
            if (end - p < 3) {
                return -1;
            }
            int blockHeader = byteAt(data, p) | byteAt(data, p + 1) << 8 | byteAt(data, p + 2) << 16;
            last = (blockHeader & 1) != 0;
            int type = (blockHeader >>> 1) & 3;
            int size = blockHeader >>> 3;
            p += 3 + switch (type) {
                case 0, 2 -> size; // raw or compressed: size bytes follow
                case 1 -> 1; // RLE: one byte, repeated size times
                default -> end; // reserved type: make the frame overrun
            };
            if (p > end) {
                return -1;
            }
        }
        p += checksum ? 4 : 0;
        return p <= end ? p - offset : -1;
    }

    static int frameLength(byte[] data, int offset, int end) {
        return (int) frameLength(MemorySegment.ofArray(data).asSlice(0, end), offset);
    }

    private static int byteAt(MemorySegment data, long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
    }
}
