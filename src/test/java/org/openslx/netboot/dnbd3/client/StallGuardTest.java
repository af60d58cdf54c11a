package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StallGuardTest {
    private static final long TICK = 50_000_000L;

    @Test
    void regularTicksAndSmallDelaysAreNoStall() {
        StallGuard guard = new StallGuard(TICK, 0);
        assertThat(guard.stalledNanos(TICK)).isZero();
        assertThat(guard.stalledNanos(2 * TICK + 30_000_000L)).isZero();
        assertThat(guard.stalledNanos(6 * TICK)).isZero();
    }

    @Test
    void aLongGapCountsAsAStallExceptOneNormalTick() {
        StallGuard guard = new StallGuard(TICK, 0);
        long resumed = 2_000_000_000L; // the process did not run for 2 s
        assertThat(guard.stalledNanos(resumed)).isEqualTo(resumed - TICK);
        assertThat(guard.stalledNanos(resumed + TICK)).as("the next tick is normal again").isZero();
    }

    @Test
    void aPlannedLongRestIsNoStallButAPauseBeyondItIs() {
        StallGuard guard = new StallGuard(TICK, 0);
        long rest = 10_000_000_000L; // the supervisor slept until its next keepalive
        assertThat(guard.stalledNanos(rest, rest)).isZero();
        assertThat(guard.stalledNanos(rest + 3 * rest, rest)).as("asleep 3 rests longer than planned")
                .isEqualTo(2 * rest);
        assertThat(guard.stalledNanos(4 * rest + TICK / 2, TICK)).as("woken early by a request").isZero();
    }
}
