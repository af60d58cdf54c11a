package org.openslx.netboot.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The value of a {@code --listen} option: {@code HOST:PORT}, {@code [IPV6]:PORT}, {@code *:PORT}
 * (all addresses), or {@code :PORT} and {@code PORT} alone, where the command decides what a
 * left-out host means. Port 0 asks the system for a free port. A host name is resolved now, so a
 * typo is reported before anything starts.
 */
public final class ListenAddress {
    /** What a left-out host means. */
    public enum LeftOutHost {
        /** Only this machine can connect (slx nbd serve: exports are not meant for the network). */
        LOOPBACK,
        /** All addresses (the servers clients boot from). */
        ALL_ADDRESSES
    }

    private ListenAddress() {
    }

    /**
     * @throws IllegalArgumentException a sentence starting with {@code --listen} that says what is wrong
     */
    public static InetSocketAddress parse(String text, LeftOutHost leftOutHost) {
        String t = text.strip();
        HostPort split;
        try {
            split = t.matches("[0-9]+") ? HostPort.parse(":" + t) : HostPort.parse(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--listen: " + e.getMessage());
        }
        if (split.bareIpv6()) {
            throw new IllegalArgumentException("--listen " + text + ": write IPv6 addresses in brackets, e.g. [::1]:5003");
        }
        if (!split.hasPort()) {
            throw new IllegalArgumentException("--listen expects HOST:PORT, [IPV6]:PORT, :PORT or PORT, e.g."
                    + " 127.0.0.1:10809; got " + HostPort.quote(text));
        }
        String host = split.host();
        if (host.equals("*") || host.isEmpty() && leftOutHost == LeftOutHost.ALL_ADDRESSES) {
            return new InetSocketAddress(split.port());
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), split.port());
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), split.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--listen " + text + ": unknown host " + HostPort.quote(host));
        }
    }
}
