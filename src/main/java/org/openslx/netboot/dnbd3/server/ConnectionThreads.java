package org.openslx.netboot.dnbd3.server;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a dnbd3 connection runs: on a platform thread of its own while fewer than
 * {@link #platformLimit} connections have one, else on the virtual thread that accepted it.
 *
 * <p>Why platform threads: a streaming client is one loop of "read a request, send a header,
 * sendfile() a block". On a platform thread the socket stays in blocking mode and a sendfile()
 * that fills the send buffer simply waits in the kernel, as it does in the reference server (one
 * pthread per client). On a virtual thread the JDK switches the socket to non-blocking mode, so a
 * full send buffer returns to Java, the thread parks, the JDK's poller wakes it and a carrier thread
 * resumes it; measured on loopback (docs/BENCHMARKS.md, "dnbd3 server") that cost 20 to 40 % more
 * CPU per GB, and under CPU contention the two carrier threads of a 2-core machine got a smaller
 * share of the CPU than the reference's one thread per client, so ours streamed slower.
 *
 * <p>The trade-off is memory: a platform thread costs 50 to 90 KiB of RSS whatever its stack size
 * (the JVM touches every page of its stack shadow zone when a thread first enters Java: 20 pages by
 * default, 10 with the launcher's {@code -XX:StackShadowPages=10}), a parked virtual thread about
 * 1 KiB. The gain is CPU per byte with few clients: measured side by side (docs/BENCHMARKS.md,
 * "dnbd3 server", session 4) one client cost 0.49 to 0.57 CPU s/GB on a platform thread against
 * 0.71 to 0.76 on a virtual thread, while with 64 clients both cost about the same (0.23 to 0.38: the
 * carrier threads then always have work and rarely park) or slightly less on platform threads
 * (0.27 to 0.29 against 0.31 to 0.37 with only 16 of the 64 on platform threads). So the first
 * {@link #DEFAULT_PLATFORM_LIMIT} connections get one, the rest are served on virtual threads:
 * 64 streaming clients stay within the 64 MB target, and thousands of clients stay affordable.
 */
final class ConnectionThreads {
    /**
     * Default bound on platform threads; beyond it connections stay on virtual threads. 64 covers
     * the benchmark's 64 streaming clients at about 3 MiB (with the launcher's options); 256
     * (session 3) made 2000 idle clients cost 105 MiB instead of 72.
     */
    static final int DEFAULT_PLATFORM_LIMIT = 64;
    /**
     * Stack of a connection thread. The deepest path (a request, logging an exception) needs a few
     * dozen frames; the JVM takes its guard zones (some 100 KiB) out of this too.
     */
    private static final long STACK_BYTES = 256 << 10;

    /** Runs one connection. */
    @FunctionalInterface
    interface Connection {
        void run() throws IOException;
    }

    private final int platformLimit;
    private final AtomicInteger platformInUse = new AtomicInteger();

    ConnectionThreads(int platformLimit) {
        this.platformLimit = platformLimit;
    }

    /** Connections running on platform threads now. */
    int platformInUse() {
        return platformInUse.get();
    }

    /**
     * Runs {@code connection} to its end, on a platform thread if one is free (the calling thread
     * waits for it), else on the calling thread.
     *
     * @param onInterrupt called if the waiting caller is interrupted: it must make the connection
     *     end (close its socket); the caller then still waits for it
     */
    void run(String name, Connection connection, Runnable onInterrupt) throws IOException {
        if (!takePlatformThread()) {
            connection.run();
            return;
        }
        IOException[] failure = new IOException[1];
        Thread thread;
        try {
            thread = Thread.ofPlatform().name(name).stackSize(STACK_BYTES).daemon().start(() -> {
                try {
                    connection.run();
                } catch (IOException e) {
                    failure[0] = e;
                } finally {
                    platformInUse.decrementAndGet();
                }
            });
        } catch (OutOfMemoryError | RuntimeException e) {
            // No thread to be had (the system's thread limit): serve it here instead.
            platformInUse.decrementAndGet();
            connection.run();
            return;
        }
        waitFor(thread, onInterrupt);
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private boolean takePlatformThread() {
        while (true) {
            int n = platformInUse.get();
            if (n >= platformLimit) {
                return false;
            }
            if (platformInUse.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private static void waitFor(Thread thread, Runnable onInterrupt) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                if (!interrupted) {
                    interrupted = true;
                    onInterrupt.run();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
