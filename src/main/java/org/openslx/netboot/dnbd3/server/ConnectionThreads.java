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
 * <p>The trade-off is memory: a platform thread costs about 115 KiB of RSS whatever its stack size
 * (mostly the JVM's stack shadow zone, 20 pages it touches on native calls), a parked virtual
 * thread about 1 KiB. So the number of platform threads is bounded; connections beyond the bound
 * are served on virtual threads (more CPU per byte, but thousands of them cost next to nothing),
 * so the server still takes thousands of clients.
 */
final class ConnectionThreads {
    /** Default bound on platform threads; beyond it connections stay on virtual threads. */
    static final int DEFAULT_PLATFORM_LIMIT = 256;
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
