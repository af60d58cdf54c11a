package org.openslx.netboot.dnbd3.client;

import java.time.Duration;

/**
 * How often the client measures its servers, as the reference clients do: every 2 s during a
 * start-up phase (the first 6 rounds), then backing off by 2 s per round up to 45 s. After a
 * switch the interval drops back to 10 s, so the new situation is looked at again soon.
 */
final class ProbeSchedule {
    static final int STARTUP_ROUNDS = 6;
    static final Duration STARTUP_INTERVAL = Duration.ofSeconds(2);
    static final Duration AFTER_SWITCH_INTERVAL = Duration.ofSeconds(10);
    static final Duration STEP = Duration.ofSeconds(2);
    static final Duration MAX_INTERVAL = Duration.ofSeconds(45);

    private int rounds;
    private Duration interval = STARTUP_INTERVAL;

    /** Whether the next round is still in the start-up phase (no switching on RTT then). */
    synchronized boolean inStartup() {
        return rounds < STARTUP_ROUNDS;
    }

    /** Counts a finished round and returns the wait before the next one. */
    synchronized Duration roundDone() {
        rounds++;
        if (rounds < STARTUP_ROUNDS) {
            interval = STARTUP_INTERVAL;
        } else {
            Duration grown = interval.plus(STEP);
            interval = grown.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : grown;
        }
        return interval;
    }

    /** After a switch to a faster server: look again in 10 s, then back off again. */
    synchronized void switched() {
        if (rounds >= STARTUP_ROUNDS) {
            interval = AFTER_SWITCH_INTERVAL.minus(STEP);
        }
    }

    synchronized Duration interval() {
        return interval;
    }
}
