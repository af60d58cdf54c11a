package org.openslx.netboot.nbd;

import static org.openslx.netboot.nbd.NbdProtocol.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes transmission-phase replies: the simple reply (the only kind the kernel understands)
 * and structured reply chunks. Each method fills a buffer the caller owns and flips it, ready
 * to write; the hot paths reuse one small direct buffer per request.
 */
final class Replies {
    /** Room for the largest header we build: a chunk header plus the 8-byte data offset. */
    static final int HEADER_CAPACITY = CHUNK_HEADER_LENGTH + Long.BYTES;
    /** Error messages are strings of at most 4096 bytes; 300 chars of UTF-8 stay far below. */
    private static final int MAX_MESSAGE_CHARS = 300;

    private Replies() {
    }

    static ByteBuffer simple(ByteBuffer dst, long handle, int error) {
        dst.clear();
        dst.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle);
        return dst.flip();
    }

    /** Header of an OFFSET_DATA chunk carrying {@code dataLength} bytes read at {@code offset}. */
    static ByteBuffer offsetData(ByteBuffer dst, long handle, long offset, int dataLength, boolean last) {
        dst.clear();
        chunkHeader(dst, last ? REPLY_FLAG_DONE : 0, REPLY_TYPE_OFFSET_DATA, handle, Long.BYTES + dataLength);
        dst.putLong(offset);
        return dst.flip();
    }

    /** The final NONE chunk: success with no (more) data. */
    static ByteBuffer done(ByteBuffer dst, long handle) {
        dst.clear();
        chunkHeader(dst, REPLY_FLAG_DONE, REPLY_TYPE_NONE, handle, 0);
        return dst.flip();
    }

    /**
     * A final BLOCK_STATUS chunk for context {@code contextId}: {@code count} descriptors, each a
     * length and its state flags, taken from the two arrays.
     */
    static ByteBuffer blockStatus(long handle, int contextId, int[] lengths, int[] states, int count) {
        int payload = 4 + 8 * count;
        ByteBuffer dst = ByteBuffer.allocate(CHUNK_HEADER_LENGTH + payload);
        chunkHeader(dst, REPLY_FLAG_DONE, REPLY_TYPE_BLOCK_STATUS, handle, payload);
        dst.putInt(contextId);
        for (int i = 0; i < count; i++) {
            dst.putInt(lengths[i]).putInt(states[i]);
        }
        return dst.flip();
    }

    /** A final ERROR chunk with a message for the person at the client. */
    static ByteBuffer error(long handle, int error, String message) {
        String text = message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message;
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer dst = ByteBuffer.allocate(CHUNK_HEADER_LENGTH + 6 + bytes.length);
        chunkHeader(dst, REPLY_FLAG_DONE, REPLY_TYPE_ERROR, handle, 6 + bytes.length);
        dst.putInt(error).putShort((short) bytes.length).put(bytes);
        return dst.flip();
    }

    private static void chunkHeader(ByteBuffer dst, short flags, short type, long handle, int length) {
        dst.putInt(STRUCTURED_REPLY_MAGIC).putShort(flags).putShort(type).putLong(handle).putInt(length);
    }
}
