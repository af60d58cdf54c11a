package org.openslx.netboot.block.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * The direct buffers compressed clusters are read into before decoding, allocated on first use
 * and reused. Their number bounds both the memory and how many groups of clusters are fetched
 * and decoded at once; a reader finding none free waits for one.
 */
final class InputBuffers {
    private final int bufferBytes;
    private final Semaphore free;
    private final ConcurrentLinkedQueue<ByteBuffer> idle = new ConcurrentLinkedQueue<>();

    InputBuffers(int count, int bufferBytes) {
        this.bufferBytes = bufferBytes;
        this.free = new Semaphore(count);
    }

    int bufferBytes() {
        return bufferBytes;
    }

    /** A cleared buffer of {@link #bufferBytes()}; give it back with {@link #release}. */
    ByteBuffer take() throws IOException {
        free.acquireUninterruptibly();
        ByteBuffer buffer = idle.poll();
        if (buffer != null) {
            return buffer.clear();
        }
        try {
            return ByteBuffer.allocateDirect(bufferBytes);
        } catch (OutOfMemoryError e) {
            // Direct memory is capped (-XX:MaxDirectMemorySize): fail this read, not the process.
            free.release();
            throw new IOException("no memory left for a " + bufferBytes
                    + "-byte buffer of compressed clusters", e);
        }
    }

    void release(ByteBuffer buffer) {
        idle.add(buffer);
        free.release();
    }
}
