package org.openslx.netboot.dnbd3.client;

/**
 * Tells the supervisor how much of the time since its last tick this process was not running.
 * Under emulation or on a loaded machine the whole VM or process can be descheduled for seconds;
 * when it runs again, the supervisor may look at the clock before the receive thread has read
 * the replies that arrived meanwhile. Such a pause is not the server's silence, and counting it
 * made the client leave a working server and reconnect (seconds more of stall) for nothing.
 */
final class StallGuard {
    private final long tickNanos;
    private final long stallNanos;
    private long lastTick;

    /** @param tickNanos the supervisor's normal tick; a gap over 4 ticks counts as a stall */
    StallGuard(long tickNanos, long now) {
        this.tickNanos = tickNanos;
        this.stallNanos = 4 * tickNanos;
        this.lastTick = now;
    }

    /** Called once per tick: the part of the gap since the last tick that was a stall (else 0). */
    long stalledNanos(long now) {
        return stalledNanos(now, tickNanos);
    }

    /**
     * Like {@link #stalledNanos(long)} after a wait planned to last {@code plannedNanos} (at
     * least a tick): the supervisor rests longer while nothing is owed.
     */
    long stalledNanos(long now, long plannedNanos) {
        long planned = Math.max(tickNanos, plannedNanos);
        long gap = now - lastTick;
        lastTick = now;
        return gap > planned + stallNanos - tickNanos ? gap - planned : 0;
    }
}
