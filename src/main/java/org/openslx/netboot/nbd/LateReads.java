package org.openslx.netboot.nbd;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reads one connection is answering, so that a read which waits far longer than any read
 * should is written to the log. The root daemon attaches /dev/nbd0 without a request timeout
 * (a failover must stay invisible to the kernel), so a read the source never delivers would
 * otherwise hang the client in silence. Each late read is reported once when it crosses the
 * threshold, and once more if it completes after all.
 */
final class LateReads {
    private static final System.Logger LOG = System.getLogger(LateReads.class.getName());
    static final Duration REPORT_AFTER = Duration.ofSeconds(30);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(10);

    private static final class InFlight {
        final Request request;
        final long startNanos;
        volatile boolean reported;

        InFlight(Request request, long startNanos) {
            this.request = request;
            this.startNanos = startNanos;
        }
    }

    private final String peer;
    private final long thresholdNanos;
    /** Keyed by the request's slot, which it holds until its reply is sent. */
    private final ConcurrentHashMap<Object, InFlight> inFlight = new ConcurrentHashMap<>();

    LateReads(String peer, Duration threshold) {
        this.peer = peer;
        this.thresholdNanos = threshold.toNanos();
    }

    void started(Object slot, Request request, long nowNanos) {
        inFlight.put(slot, new InFlight(request, nowNanos));
    }

    /** Returns the log line when the read had been reported late, else null. */
    String finished(Object slot, long nowNanos) {
        InFlight read = inFlight.remove(slot);
        if (read == null || !read.reported) {
            return null;
        }
        String line = peer + ": the " + read.request.describe() + " reported late was answered after "
                + seconds(nowNanos - read.startNanos);
        LOG.log(Level.INFO, line);
        return line;
    }

    /** Reports every read that has now waited longer than the threshold; returns the lines logged. */
    List<String> check(long nowNanos) {
        List<String> lines = new ArrayList<>();
        for (InFlight read : inFlight.values()) {
            long waited = nowNanos - read.startNanos;
            if (!read.reported && waited > thresholdNanos) {
                read.reported = true;
                String line = peer + ": a " + read.request.describe() + " has waited " + seconds(waited)
                        + " for the image's data (" + inFlight.size() + " read(s) in flight)";
                LOG.log(Level.WARNING, line);
                lines.add(line);
            }
        }
        return lines;
    }

    /** Checks every few seconds until the returned thread is interrupted. */
    Thread watch() {
        return Thread.ofVirtual().name("nbd-late-reads").start(() -> {
            try {
                while (true) {
                    Thread.sleep(CHECK_EVERY);
                    check(System.nanoTime());
                }
            } catch (InterruptedException e) {
                // the connection is done
            }
        });
    }

    // Plain arithmetic, no Formatter: in the root daemon this may first run after switch_root,
    // when classes not loaded yet can no longer be loaded.
    private static String seconds(long nanos) {
        return Math.round(nanos / 1e9) + " s";
    }
}
