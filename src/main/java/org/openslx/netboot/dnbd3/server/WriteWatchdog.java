package org.openslx.netboot.dnbd3.server;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Blocking socket writes have no timeout in Java. This closes connections whose writes made no
 * progress for too long (a client that stopped reading), as SO_SNDTIMEO does for the reference.
 */
final class WriteWatchdog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WriteWatchdog.class.getName());

    /** One connection's write progress: 0 while not writing, else the time of the last progress. */
    static final class Progress {
        final SocketChannel channel;
        final String who;
        private volatile long lastProgressNanos;

        Progress(SocketChannel channel, String who) {
            this.channel = channel;
            this.who = who;
        }

        void writing() {
            lastProgressNanos = System.nanoTime() | 1;
        }

        void idle() {
            lastProgressNanos = 0;
        }
    }

    private final Set<Progress> watched = ConcurrentHashMap.newKeySet();
    private final long limitNanos;
    private final Thread thread;
    private volatile boolean closed;

    WriteWatchdog(Duration limit) {
        this.limitNanos = limit.toNanos();
        long periodNanos = Math.clamp(limitNanos / 4, 100_000_000L, 5_000_000_000L);
        this.thread = Thread.ofVirtual().name("dnbd3-write-watchdog").start(() -> {
            while (!closed) {
                LockSupport.parkNanos(periodNanos);
                check();
            }
        });
    }

    Progress watch(SocketChannel channel, String who) {
        Progress progress = new Progress(channel, who);
        watched.add(progress);
        return progress;
    }

    void unwatch(Progress progress) {
        watched.remove(progress);
    }

    private void check() {
        long now = System.nanoTime();
        for (Progress p : watched) {
            long since = p.lastProgressNanos;
            if (since != 0 && now - since > limitNanos) {
                LOG.log(System.Logger.Level.INFO, "client " + p.who + " stopped reading for "
                        + Duration.ofNanos(limitNanos).toSeconds() + " s; disconnecting it");
                watched.remove(p);
                try {
                    // shutdown first: it also wakes a sendfile blocked in the kernel, which close alone would not
                    p.channel.shutdownOutput();
                } catch (IOException e) {
                    // closing anyway
                }
                try {
                    p.channel.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
