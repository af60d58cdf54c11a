package org.openslx.netboot.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import org.openslx.netboot.net.ZeroCopy;

/**
 * The sending side of one connection. Replies are produced by many request threads at once;
 * a lock keeps each reply (or each structured chunk) contiguous on the wire. A simple READ
 * reply streams its data in pieces after the header, so its writer holds the lock across
 * {@link #lock()} ... {@link #unlock()}.
 */
final class ReplyWriter {
    private final SocketChannel channel;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final ReentrantLock lock = new ReentrantLock();

    ReplyWriter(SocketChannel channel) {
        this.channel = channel;
    }

    /** Sends the parts as one message. */
    void send(ByteBuffer... parts) throws IOException {
        lock.lock();
        try {
            writeLocked(parts);
        } finally {
            lock.unlock();
        }
    }

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** Writes all of the parts; the caller holds the lock. */
    void writeLocked(ByteBuffer... parts) throws IOException {
        assert lock.isHeldByCurrentThread();
        while (hasRemaining(parts)) {
            channel.write(parts);
        }
    }

    private static boolean hasRemaining(ByteBuffer[] parts) {
        for (ByteBuffer part : parts) {
            if (part.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position} straight from the page
     * cache (sendfile); the caller holds the lock and has sent the header.
     *
     * @throws IOException also if the file ends early: the reply can then not be completed
     */
    /** Sends {@code count} zero bytes; the caller holds the lock. */
    void writeZerosLocked(long count) throws IOException {
        assert lock.isHeldByCurrentThread();
        for (long left = count; left > 0; ) {
            int n = (int) Math.min(left, ZEROS.capacity());
            writeLocked(ZEROS.duplicate().limit(n));
            left -= n;
        }
    }

    void transferLocked(FileChannel file, long position, long count) throws IOException {
        assert lock.isHeldByCurrentThread();
        ZeroCopy.send(file, position, count, channel);
    }
}
