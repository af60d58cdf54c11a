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
}
