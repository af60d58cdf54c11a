package org.openslx.netboot.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
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
    /**
     * Reads larger than this are read and sent in pieces of this size. 128 KiB is the kernel's
     * default readahead; nbdcopy's 256 KiB reads go out in two pieces at no measurable CPU cost,
     * and a server under four nbdcopy connections holds 4 MiB less (bench/nbd-serve-rss.sh).
     */
    static final int PIECE_SIZE = 128 * 1024;
    /**
     * Slots of finished connections, with their direct buffers, taken by new connections. Direct
     * memory comes back only when a garbage collection finds its buffer unreachable, which a
     * server with a small and quiet heap rarely runs: without reuse, every connection's buffers
     * would add to the RSS until the direct memory limit forces a collection. Up to 32 slots
     * are kept (4 MiB of piece buffers).
     */
    private static final ArrayBlockingQueue<Slot> SPARE_SLOTS = new ArrayBlockingQueue<>(32);

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
        if (slot == null) {
            slot = SPARE_SLOTS.poll();
        }
        return slot != null ? slot : new Slot();
    }

    void release(Slot slot) {
        idle.add(slot);
        free.release();
    }

    /** Hands the slots to later connections; call when all are idle and this connection is done. */
    void recycle() {
        for (Slot slot = idle.poll(); slot != null; slot = idle.poll()) {
            SPARE_SLOTS.offer(slot);
        }
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
