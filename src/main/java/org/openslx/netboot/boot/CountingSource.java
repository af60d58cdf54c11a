package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.openslx.netboot.block.BlockSource;

/**
 * A pass-through filter that counts and times what is read from the layer below: bytes, reads,
 * their sizes (by power of two) and how long they took, so that the daemon's status line shows
 * where a slow boot spends its time. A read slower than {@link #SLOW_NANOS} is logged at once
 * with its layer, offset and size (reads that stall are the thing to find).
 */
final class CountingSource implements BlockSource {
    private static final long SLOW_NANOS = 1_000_000_000L;
    /** Size classes: up to 4 KiB, 8 KiB, ..., 1 MiB, more. */
    private static final int FIRST_CLASS_SHIFT = 12;
    private static final int CLASSES = 10;

    private final BlockSource next;
    private final String layer;
    private final LongAdder bytes = new LongAdder();
    private final LongAdder reads = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();
    private final AtomicLongArray sizes = new AtomicLongArray(CLASSES);

    /** @param layer what this layer reads from, for the log ("dnbd3", "nbd export") */
    CountingSource(BlockSource next, String layer) {
        this.next = next;
        this.layer = layer;
    }

    CountingSource(BlockSource next) {
        this(next, "image");
    }

    long bytesRead() {
        return bytes.sum();
    }

    long reads() {
        return reads.sum();
    }

    @Override
    public long size() {
        return next.size();
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        int length = dst.remaining();
        long start = System.nanoTime();
        next.read(dst, offset);
        long took = System.nanoTime() - start;
        bytes.add(length);
        reads.increment();
        nanos.add(took);
        maxNanos.accumulateAndGet(took, Math::max);
        sizes.incrementAndGet(sizeClass(length));
        if (took > SLOW_NANOS) {
            BootLog.info("slow read from %s: %d bytes at offset %d took %.2f s".formatted(layer, length, offset,
                    took / 1e9));
        }
    }

    private static int sizeClass(int length) {
        int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, length - 1L)); // ceil(log2)
        return Math.clamp(bits - FIRST_CLASS_SHIFT, 0, CLASSES - 1);
    }

    /** One line: reads by size class, mean and longest time, e.g. {@code 128K×250 4K×3, mean 3.1 ms, max 40 ms}. */
    String timings() {
        StringBuilder line = new StringBuilder(layer).append(" reads");
        for (int c = 0; c < CLASSES; c++) {
            long count = sizes.get(c);
            if (count > 0) {
                long kib = 1L << (c + FIRST_CLASS_SHIFT - 10);
                line.append(' ').append(c == CLASSES - 1 ? ">" + (kib / 2) : kib).append("K×").append(count);
            }
        }
        long n = Math.max(1, reads.sum());
        return line.append(", mean %.1f ms, max %.0f ms".formatted(nanos.sum() / 1e6 / n, maxNanos.get() / 1e6))
                .toString();
    }

    @Override
    public String describe() {
        return next.describe();
    }

    @Override
    public boolean canMultiConn() {
        return next.canMultiConn();
    }

    @Override
    public void close() throws IOException {
        next.close();
    }
}
