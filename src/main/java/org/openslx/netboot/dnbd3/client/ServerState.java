package org.openslx.netboot.dnbd3.client;

import java.time.Duration;

/**
 * What the client knows about one server: its RTT history, how it has behaved, and whether it is
 * shut out for a while (it offered another image version, or delivered data that failed its CRC
 * check). Thread-safe: the prober, the failover logic and statistics read it concurrently.
 */
final class ServerState {
    private final ServerAddress address;
    private final boolean learnt;
    private final RttHistory rtt = new RttHistory();
    private int consecutiveFailures;
    private int bestCount;
    private long excludedUntilNanos;
    private String exclusionReason;

    ServerState(ServerAddress address, boolean learnt) {
        this.address = address;
        this.learnt = learnt;
    }

    ServerAddress address() {
        return address;
    }

    /** Whether the server came from a GET_SERVERS reply rather than the URL. */
    boolean learnt() {
        return learnt;
    }

    RttHistory rtt() {
        return rtt;
    }

    synchronized void probeSucceeded(Duration roundTrip) {
        rtt.recordSuccess(roundTrip);
        consecutiveFailures = 0;
    }

    synchronized void probeFailed() {
        rtt.recordFailure();
        consecutiveFailures++;
    }

    synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** Kernel-client style: the round's best server earns 3 (capped at 178), the others lose 1. */
    synchronized void countRound(boolean wasBest) {
        bestCount = wasBest ? Math.min(SwitchPolicy.BEST_COUNT_CAP, bestCount + 3) : Math.max(0, bestCount - 1);
    }

    synchronized int bestCount() {
        return bestCount;
    }

    /** Shuts the server out of selection until {@code nowNanos + duration}, remembering why. */
    synchronized void exclude(long nowNanos, Duration duration, String reason) {
        excludedUntilNanos = nowNanos + duration.toNanos();
        exclusionReason = reason;
    }

    synchronized boolean excluded(long nowNanos) {
        return exclusionReason != null && nowNanos - excludedUntilNanos < 0;
    }

    synchronized String exclusionReason() {
        return exclusionReason;
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
