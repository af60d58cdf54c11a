package org.openslx.netboot.dnbd3.client;

import java.time.Duration;
import java.util.Collection;

/**
 * When to leave a working server for a faster one: the reference kernel client's rule. Switch if
 * {@code ¾ · current RTT > best RTT + threshold}, with {@code threshold = 1800 µs − 10 µs ·
 * bestCount} (so a server that keeps coming out best needs a smaller lead, down to about 20 µs),
 * and never during the start-up phase, when the RTTs are still settling. If the current server
 * did not answer its own probe, any answering server is better.
 */
final class SwitchPolicy {
    static final int BEST_COUNT_CAP = 178;
    private static final long BASE_THRESHOLD_NANOS = 1_800_000;
    private static final long THRESHOLD_STEP_NANOS = 10_000;

    private SwitchPolicy() {
    }

    /** The fastest usable server by mean probe RTT, or null if none answered. */
    static ServerState fastest(Collection<ServerState> servers, long nowNanos) {
        ServerState best = null;
        Duration bestRtt = null;
        for (ServerState server : servers) {
            Duration rtt = server.rtt().mean();
            if (rtt == null || server.excluded(nowNanos)) {
                continue;
            }
            if (bestRtt == null || rtt.compareTo(bestRtt) < 0) {
                best = server;
                bestRtt = rtt;
            }
        }
        return best;
    }

    static Duration threshold(int bestCount) {
        return Duration.ofNanos(BASE_THRESHOLD_NANOS - THRESHOLD_STEP_NANOS * Math.min(bestCount, BEST_COUNT_CAP));
    }

    /**
     * Whether to switch from {@code current} to {@code best}.
     *
     * @param currentRtt the current server's mean RTT, or null if its probe failed
     */
    static boolean shouldSwitch(Duration currentRtt, Duration bestRtt, int bestCount, boolean startupPhase) {
        if (startupPhase || bestRtt == null) {
            return false;
        }
        if (currentRtt == null) {
            return true;
        }
        long threeQuarters = currentRtt.toNanos() / 4 * 3;
        return threeQuarters > bestRtt.toNanos() + threshold(bestCount).toNanos();
    }
}
