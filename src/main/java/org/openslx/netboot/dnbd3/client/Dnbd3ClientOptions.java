package org.openslx.netboot.dnbd3.client;

import java.time.Duration;

/**
 * How the dnbd3 client behaves. {@link #defaults()} suits a root disk: it never gives up.
 *
 * @param requestSize largest GET_BLOCK the client sends; bigger reads are split into requests of
 *     this size, all in flight at once (the kernel client's limit is 1 MiB)
 * @param connectTimeout limit for each step of connecting, SELECT_IMAGE and a probe
 * @param minHangBound the shortest silence after which a server owing replies counts as hung
 *     (2 s by default: why in {@link HangBound})
 * @param maxHangBound the longest: the bound is {@code minHangBound + 10 × RTT}, capped here
 *     (3 s by default, the limit)
 * @param keepaliveInterval how often a KEEPALIVE goes to the current server
 * @param giveUpAfter when no server can serve for this long, pending and new reads fail; null
 *     means never (the root disk must not fail: reads wait and the log says why)
 * @param learnServers whether to add the servers a server names in GET_SERVERS
 * @param verifyCrc whether to check whole 16 MiB blocks against the server's CRC list
 */
public record Dnbd3ClientOptions(int requestSize, Duration connectTimeout, Duration minHangBound,
        Duration maxHangBound, Duration keepaliveInterval, Duration giveUpAfter, boolean learnServers,
        boolean verifyCrc) {

    public Dnbd3ClientOptions {
        if (requestSize < 4096) {
            throw new IllegalArgumentException("request size " + requestSize + " is smaller than 4096");
        }
        if (minHangBound.compareTo(maxHangBound) > 0) {
            throw new IllegalArgumentException("minimum hang bound " + minHangBound + " exceeds the maximum " + maxHangBound);
        }
    }

    public static Dnbd3ClientOptions defaults() {
        return new Dnbd3ClientOptions(1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofSeconds(10), null, true, true);
    }

    /**
     * For commands a person runs ({@code slx image info}, {@code slx dnbd3 cat}): like the
     * defaults, but a read fails after {@link #COMMAND_LINE_GIVE_UP} without any server.
     */
    public static Dnbd3ClientOptions forCommandLine() {
        return defaults().withGiveUpAfter(COMMAND_LINE_GIVE_UP);
    }

    /** How long a command waits for some server before it fails. */
    public static final Duration COMMAND_LINE_GIVE_UP = Duration.ofSeconds(60);

    public Dnbd3ClientOptions withGiveUpAfter(Duration giveUp) {
        return new Dnbd3ClientOptions(requestSize, connectTimeout, minHangBound, maxHangBound, keepaliveInterval,
                giveUp, learnServers, verifyCrc);
    }

    public Dnbd3ClientOptions withRequestSize(int size) {
        return new Dnbd3ClientOptions(size, connectTimeout, minHangBound, maxHangBound, keepaliveInterval,
                giveUpAfter, learnServers, verifyCrc);
    }

    public Dnbd3ClientOptions withLearnServers(boolean learn) {
        return new Dnbd3ClientOptions(requestSize, connectTimeout, minHangBound, maxHangBound, keepaliveInterval,
                giveUpAfter, learn, verifyCrc);
    }

    public Dnbd3ClientOptions withVerifyCrc(boolean verify) {
        return new Dnbd3ClientOptions(requestSize, connectTimeout, minHangBound, maxHangBound, keepaliveInterval,
                giveUpAfter, learnServers, verify);
    }

    public Dnbd3ClientOptions withKeepaliveInterval(Duration interval) {
        return new Dnbd3ClientOptions(requestSize, connectTimeout, minHangBound, maxHangBound, interval,
                giveUpAfter, learnServers, verifyCrc);
    }
}
