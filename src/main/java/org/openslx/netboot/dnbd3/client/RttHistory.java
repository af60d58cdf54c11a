package org.openslx.netboot.dnbd3.client;

import java.time.Duration;

/**
 * The last four probe round-trip times of one server, as the reference kernel client keeps them
 * (a 4-entry history; the server's RTT is their mean). A failed probe makes the server
 * unreachable until it answers again: one success after a failure restarts the history, so a
 * recovered server is judged by how it answers now.
 */
final class RttHistory {
    static final int LENGTH = 4;

    private final long[] samples = new long[LENGTH];
    private int count;
    private int next;
    private boolean lastFailed;

    synchronized void recordSuccess(Duration rtt) {
        if (lastFailed) {
            count = 0;
            next = 0;
            lastFailed = false;
        }
        samples[next] = Math.max(1, rtt.toNanos());
        next = (next + 1) % LENGTH;
        count = Math.min(LENGTH, count + 1);
    }

    synchronized void recordFailure() {
        lastFailed = true;
    }

    /** Whether the last probe answered (and at least one ever did). */
    synchronized boolean reachable() {
        return !lastFailed && count > 0;
    }

    /** Mean of the recorded samples, or null if the server is unreachable or never probed. */
    synchronized Duration mean() {
        if (!reachable()) {
            return null;
        }
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += samples[i];
        }
        return Duration.ofNanos(sum / count);
    }
}
