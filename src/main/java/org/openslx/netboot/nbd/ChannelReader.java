package org.openslx.netboot.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads a client's byte stream through one buffer, so a burst of pipelined requests costs one
 * system call instead of one per request. Not thread-safe: one reader per connection.
 */
final class ChannelReader {
    private static final int BUFFER_SIZE = 64 * 1024;

    private final ReadableByteChannel channel;
    /** Unread bytes lie between position and limit. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE).flip();

    ChannelReader(ReadableByteChannel channel) {
        this.channel = channel;
    }

    /**
     * Waits for the next message. Returns false if the peer closed the connection cleanly,
     * that is with no partial message left.
     */
    boolean awaitMessage() throws IOException {
        if (buffer.hasRemaining()) {
            return true;
        }
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } finally {
            buffer.flip();
        }
        return n > 0;
    }

    short readShort() throws IOException {
        require(Short.BYTES);
        return buffer.getShort();
    }

    int readInt() throws IOException {
        require(Integer.BYTES);
        return buffer.getInt();
    }

    long readLong() throws IOException {
        require(Long.BYTES);
        return buffer.getLong();
    }

    /** Reads {@code length} bytes into a new array; callers bound the length. */
    byte[] readBytes(int length) throws IOException {
        byte[] bytes = new byte[length];
        ByteBuffer dst = ByteBuffer.wrap(bytes);
        readFully(dst);
        return bytes;
    }

    /** Fills {@code dst} to its limit, first from the buffer, then straight from the channel. */
    void readFully(ByteBuffer dst) throws IOException {
        if (buffer.hasRemaining()) {
            int n = Math.min(buffer.remaining(), dst.remaining());
            ByteBuffer slice = buffer.slice(buffer.position(), n);
            dst.put(slice);
            buffer.position(buffer.position() + n);
        }
        while (dst.hasRemaining()) {
            if (channel.read(dst) < 0) {
                throw new EOFException("the client closed the connection in the middle of a message");
            }
        }
    }

    /** Reads and drops {@code length} bytes, e.g. the payload of a refused write. */
    void skip(long length) throws IOException {
        long left = length;
        while (left > 0) {
            if (!buffer.hasRemaining()) {
                fillSome();
            }
            int n = (int) Math.min(left, buffer.remaining());
            buffer.position(buffer.position() + n);
            left -= n;
        }
    }

    /** Makes at least {@code count} bytes available in the buffer. */
    private void require(int count) throws IOException {
        while (buffer.remaining() < count) {
            fillSome();
        }
    }

    private void fillSome() throws IOException {
        buffer.compact();
        int n;
        try {
            n = channel.read(buffer);
        } finally {
            buffer.flip();
        }
        if (n < 0) {
            throw new EOFException("the client closed the connection in the middle of a message");
        }
    }
}
