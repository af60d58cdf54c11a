package org.openslx.netboot.dnbd3.client;

import java.time.Duration;

/**
 * How long the current server may stay silent while it owes replies before the client counts it
 * as hung and fails over: {@code floor + 10 × RTT}, at most {@code cap} (the limit is
 * 3 s). Without an RTT measurement yet, the floor.
 *
 * <p>Why the default numbers ({@link Dnbd3ClientOptions#defaults()}: floor 2 s, cap 3 s): the
 * silence is measured in the client, so everything that keeps a healthy server's reply from
 * being read counts as the server's: the client's receive thread not being scheduled, an
 * emulated NIC, a busy boot server. Real boots of TCG guests on a busy host showed gaps of 1.1 to
 * 1.8 s with a healthy server, and with the earlier 1 s floor the client left that server and
 * reconnected to it (seconds more of stall, around switch_root). A 2 s floor stays above those
 * gaps; a frozen server still costs at most the 3 s cap plus one failover race. The RTT term
 * adds slack for slow links (a 100 ms RTT reaches the cap); on a LAN or loopback it is
 * milliseconds, so the floor decides there. The {@link StallGuard} separately excuses pauses of
 * the whole process.
 */
final class HangBound {
    /** How many RTTs of silence are added to the floor. */
    static final int RTT_FACTOR = 10;

    private HangBound() {
    }

    /**
     * @param rtt the server's mean probe RTT, or null if not measured (or it is unreachable)
     * @param floor the shortest bound, whatever the RTT
     * @param cap the longest bound, whatever the RTT
     */
    static Duration of(Duration rtt, Duration floor, Duration cap) {
        Duration bound = rtt == null ? floor : floor.plus(rtt.multipliedBy(RTT_FACTOR));
        return bound.compareTo(cap) > 0 ? cap : bound;
    }

    /** The bound with the floor and cap of {@code options}. */
    static Duration of(Duration rtt, Dnbd3ClientOptions options) {
        return of(rtt, options.minHangBound(), options.maxHangBound());
    }
}
