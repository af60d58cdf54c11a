package org.openslx.netboot.dnbd3.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Buffered reads of whole messages from a client, with two time limits: how long to wait for a
 * message to start (the idle timeout) and how long the rest of it may take once it started.
 */
final class RequestInput {
    private final Socket socket;
    private final InputStream raw;
    private final byte[] buffer = new byte[2048];
    private int position;
    private int limit;

    RequestInput(SocketChannel channel, ByteBuffer head) throws IOException {
        this.socket = channel.socket();
        this.raw = socket.getInputStream();
        limit = Math.min(head.remaining(), buffer.length);
        head.get(buffer, 0, limit);
    }

    /**
     * Fills {@code dst[0, length)}.
     *
     * @return false if the peer closed the connection cleanly before the first byte
     * @throws SocketTimeoutException if nothing starts within {@code startMillis} or the rest
     *     does not follow within {@code restMillis}
     * @throws EOFException if the peer closes in the middle
     */
    boolean readFully(byte[] dst, int length, int startMillis, int restMillis, String what) throws IOException {
        int done = 0;
        while (done < length) {
            if (position == limit && !fill(done == 0 ? startMillis : restMillis)) {
                if (done == 0) {
                    return false;
                }
                throw new EOFException("connection closed inside " + what + " (" + done + " of " + length + " bytes)");
            }
            int n = Math.min(length - done, limit - position);
            System.arraycopy(buffer, position, dst, done, n);
            position += n;
            done += n;
        }
        return true;
    }

    /** Reads and drops {@code count} bytes. */
    void skip(long count, int restMillis, String what) throws IOException {
        long left = count;
        while (left > 0) {
            if (position == limit && !fill(restMillis)) {
                throw new EOFException("connection closed inside " + what);
            }
            int n = (int) Math.min(left, limit - position);
            position += n;
            left -= n;
        }
    }

    private boolean fill(int timeoutMillis) throws IOException {
        // When bytes are already waiting (the usual case with pipelined requests) read them without
        // a time limit: a timed read of a blocking socket costs four fcntl calls in the JDK (to
        // non-blocking mode and back), FIONREAD costs one ioctl.
        socket.setSoTimeout(raw.available() > 0 ? 0 : timeoutMillis);
        int n = raw.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }
}
