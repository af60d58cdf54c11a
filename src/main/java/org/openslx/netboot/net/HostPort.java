package org.openslx.netboot.net;

import java.net.InetSocketAddress;

/**
 * A host and port as written in options and config files, split apart without any name lookup:
 * {@code HOST}, {@code HOST:PORT}, {@code [V6]}, {@code [V6]:PORT}, {@code :PORT}, or a bare IPv6
 * address (more than one colon: all of it is the host, and there is no room for a port). What a
 * left-out host or port means is the caller's business.
 *
 * @param host the host without brackets; empty when left out
 * @param port 0 to 65535, or -1 when left out
 * @param bareIpv6 whether the host is an IPv6 address written without brackets
 */
public record HostPort(String host, int port, boolean bareIpv6) {
    /**
     * Splits {@code text} (surrounding white space ignored).
     *
     * @throws IllegalArgumentException naming the text: '[' without ']', junk after ']', or a port
     *     that is no number from 0 to 65535
     */
    public static HostPort parse(String text) {
        String t = text.strip();
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address " + quote(text) + " has '[' without ']'");
            }
            String after = t.substring(close + 1);
            if (after.isEmpty()) {
                return new HostPort(t.substring(1, close), -1, false);
            }
            if (!after.startsWith(":")) {
                throw new IllegalArgumentException("address " + quote(text) + " has junk after ']'");
            }
            return new HostPort(t.substring(1, close), port(after.substring(1), text), false);
        }
        int colon = t.indexOf(':');
        if (colon < 0) {
            return new HostPort(t, -1, false);
        }
        if (colon != t.lastIndexOf(':')) {
            return new HostPort(t, -1, true);
        }
        return new HostPort(t.substring(0, colon), port(t.substring(colon + 1), text), false);
    }

    public boolean hasPort() {
        return port >= 0;
    }

    /**
     * {@code 10.0.0.1:5003} or {@code [fd00::1]:5003}: an address written the way {@link #parse}
     * reads it back (an unresolved one with its host name).
     */
    public static String format(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static int port(String port, String whole) {
        try {
            int number = Integer.parseInt(port);
            if (number >= 0 && number <= 65535) {
                return number;
            }
        } catch (NumberFormatException e) {
            // the message below says it
        }
        throw new IllegalArgumentException("address " + quote(whole) + " has a bad port " + quote(port));
    }

    /** {@code 'text'}, cut at 80 characters so a hostile line cannot flood a log. */
    public static String quote(String s) {
        return "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
    }
}
