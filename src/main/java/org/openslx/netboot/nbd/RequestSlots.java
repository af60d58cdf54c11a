package org.openslx.netboot.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The requests one connection may have in flight, each with its own direct buffers: a small
 * one for reply headers and, allocated on first use, one {@link #PIECE_SIZE} buffer through
 * which reads are streamed. Taking a slot blocks when all are busy, which bounds both the
 * threads and the memory a client can claim (at most {@code count * PIECE_SIZE}); a client
 * that stops reading its replies stalls only itself.
 */
final class RequestSlots {
    /** Reads larger than this are read and sent in pieces of this size. */
    static final int PIECE_SIZE = 256 * 1024;

    private final int count;
    private final Semaphore free;
    private final ConcurrentLinkedQueue<Slot> idle = new ConcurrentLinkedQueue<>();

    RequestSlots(int count) {
        this.count = count;
        this.free = new Semaphore(count);
    }

    Slot acquire() throws InterruptedException {
        free.acquire();
        Slot slot = idle.poll();
        return slot != null ? slot : new Slot();
    }

    void release(Slot slot) {
        idle.add(slot);
        free.release();
    }

    /** Waits until every slot is back, i.e. all replies are sent; false on timeout. */
    boolean awaitAllIdle(long timeoutMillis) throws InterruptedException {
        if (!free.tryAcquire(count, timeoutMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        free.release(count);
        return true;
    }

    static final class Slot {
        final ByteBuffer header = ByteBuffer.allocateDirect(Replies.HEADER_CAPACITY);
        private ByteBuffer data;

        /** The piece buffer, cleared. */
        ByteBuffer data() throws IOException {
            if (data == null) {
                try {
                    data = ByteBuffer.allocateDirect(PIECE_SIZE);
                } catch (OutOfMemoryError e) {
                    // Direct memory is capped (-XX:MaxDirectMemorySize, by default the heap size);
                    // refusing one request is better than failing the server.
                    throw new IOException("no memory left for a " + PIECE_SIZE + "-byte read buffer", e);
                }
            }
            return data.clear();
        }
    }
}
