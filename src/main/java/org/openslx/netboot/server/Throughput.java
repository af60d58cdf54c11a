package org.openslx.netboot.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Current rate of a growing byte counter: sampled every second by a virtual thread, the rate is
 * the growth over the last few seconds.
 */
final class Throughput implements AutoCloseable {
    private static final int WINDOW_SECONDS = 3;

    private final LongSupplier counter;
    private final long[] samples = new long[WINDOW_SECONDS + 1];
    private final long[] sampleNanos = new long[WINDOW_SECONDS + 1];
    private int next;
    private int taken;
    private final Thread sampler;
    private final AtomicLong rate = new AtomicLong();

    Throughput(LongSupplier counter) {
        this.counter = counter;
        sample();
        sampler = Thread.ofVirtual().name("throughput").start(this::run);
    }

    /** Bytes per second over the last few seconds. */
    long bytesPerSecond() {
        return rate.get();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1000);
                sample();
            }
        } catch (InterruptedException e) {
            // Closed.
        }
    }

    private synchronized void sample() {
        samples[next] = counter.getAsLong();
        sampleNanos[next] = System.nanoTime();
        int newest = next;
        next = (next + 1) % samples.length;
        taken = Math.min(taken + 1, samples.length);
        int oldest = taken < samples.length ? 0 : next;
        long nanos = sampleNanos[newest] - sampleNanos[oldest];
        rate.set(nanos <= 0 ? 0 : (samples[newest] - samples[oldest]) * 1_000_000_000L / nanos);
    }

    @Override
    public void close() {
        sampler.interrupt();
    }
}
