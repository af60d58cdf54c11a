package org.openslx.netboot.stage3.fetch;

import java.time.Duration;

/**
 * How hard to try: each request may take {@code perTry} (connecting, headers and body together);
 * all servers are tried in turn, then again after a pause that starts at {@code firstPause} and
 * doubles up to {@code maxPause}, until {@code totalBudget} is spent. Bodies larger than
 * {@code maxBytes} are refused.
 */
public record RetryPolicy(Duration perTry, Duration totalBudget, Duration firstPause, Duration maxPause, long maxBytes) {
    /** For the config at boot: the network may still be settling, so keep trying for two minutes. */
    public static final RetryPolicy BOOT = new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(120),
            Duration.ofMillis(500), Duration.ofSeconds(8), 64L << 20);

    public RetryPolicy {
        if (perTry.isNegative() || perTry.isZero() || totalBudget.isNegative() || firstPause.isNegative()
                || maxPause.compareTo(firstPause) < 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("retry policy needs positive times and size, maxPause >= firstPause");
        }
    }

    public RetryPolicy withTotalBudget(Duration budget) {
        return new RetryPolicy(perTry, budget, firstPause, maxPause, maxBytes);
    }

    public RetryPolicy withPerTry(Duration timeout) {
        return new RetryPolicy(timeout, totalBudget, firstPause, maxPause, maxBytes);
    }
}
