package org.openslx.netboot.dnbd3.client;

import java.time.Duration;

/**
 * How long one connection attempt (TCP connect, SELECT_IMAGE, the first reply) may take while
 * no server answers: the configured connect timeout at first, doubled after every round in
 * which no server answered, up to {@link #MOST}. A server that is down refuses or stays silent
 * whatever the limit; but on an overloaded machine (an emulated client, a busy boot server) a
 * handshake can take longer than the usual 2 s, and a fixed limit would then never let the
 * client reconnect, leaving its reads waiting for good.
 */
final class ConnectPatience {
    static final Duration MOST = Duration.ofSeconds(30);

    private final Duration most;
    private Duration current;

    ConnectPatience(Duration first) {
        this.current = first;
        this.most = first.compareTo(MOST) > 0 ? first : MOST;
    }

    Duration current() {
        return current;
    }

    /** No server answered within the current limit: allow twice as long next round. */
    void roundFailed() {
        Duration doubled = current.multipliedBy(2);
        current = doubled.compareTo(most) > 0 ? most : doubled;
    }
}
