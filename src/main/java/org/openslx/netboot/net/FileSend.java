package org.openslx.netboot.net;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Sends part of a file to a connection, zero-copy ({@code sendfile}) where the kernel lets us.
 * On a virtual thread a "blocking" socket is non-blocking underneath once the thread has waited
 * on it, and {@link FileChannel#transferTo} then returns 0 when the send buffer is full instead of
 * waiting (seen with JDK 25). Such a chunk goes through a buffer and {@code write}, which waits
 * properly; the next chunk tries zero-copy again.
 */
public final class FileSend {
    private static final long CHUNK = 8L << 20;
    private static final int FALLBACK_CHUNK = 256 << 10;

    private FileSend() {
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position}.
     *
     * @param progress run after every piece sent (e.g. to feed a write watchdog)
     * @throws EOFException if the file ends before (it shrank on disk)
     */
    public static void send(FileChannel file, long position, long count, WritableByteChannel target,
                            Runnable progress) throws IOException {
        long end = position + count;
        ByteBuffer fallback = null;
        while (position < end) {
            long n = file.transferTo(position, Math.min(end - position, CHUNK), target);
            if (n == 0) {
                if (fallback == null) {
                    fallback = ByteBuffer.allocateDirect(FALLBACK_CHUNK);
                }
                fallback.clear().limit((int) Math.min(FALLBACK_CHUNK, end - position));
                int read = file.read(fallback, position);
                if (read < 0) {
                    throw new EOFException("the file ended at byte " + position + ", before byte " + end);
                }
                fallback.flip();
                while (fallback.hasRemaining()) {
                    target.write(fallback);
                    progress.run();
                }
                n = read;
            }
            position += n;
            progress.run();
        }
    }
}
