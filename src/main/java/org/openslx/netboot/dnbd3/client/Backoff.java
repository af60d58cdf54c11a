package org.openslx.netboot.dnbd3.client;

import java.time.Duration;

/**
 * A duration that doubles each time a round fails, up to a cap: the pause between rounds of
 * connection attempts, and how long each attempt may take ({@link #connectPatience}).
 */
final class Backoff {
    /** The most a connection attempt is given, unless the configured timeout is longer. */
    static final Duration MOST_CONNECT_PATIENCE = Duration.ofSeconds(30);

    private final Duration most;
    private Duration current;

    Backoff(Duration first, Duration most) {
        this.current = first;
        this.most = first.compareTo(most) > 0 ? first : most;
    }

    /**
     * How long one connection attempt (TCP connect, SELECT_IMAGE, the first reply) may take
     * while no server answers: the configured connect timeout at first, doubled after every
     * round in which no server answered. A server that is down refuses or stays silent whatever
     * the limit; but on an overloaded machine (an emulated client, a busy boot server) a
     * handshake can take longer than the usual 2 s, and a fixed limit would then never let the
     * client reconnect, leaving its reads waiting for good.
     */
    static Backoff connectPatience(Duration connectTimeout) {
        return new Backoff(connectTimeout, MOST_CONNECT_PATIENCE);
    }

    Duration current() {
        return current;
    }

    /** The round failed: twice as long next time, at most the cap. */
    void roundFailed() {
        Duration doubled = current.multipliedBy(2);
        current = doubled.compareTo(most) > 0 ? most : doubled;
    }
}
