package org.openslx.netboot.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How clients reach this server: a host name or IP literal and an optional port, as in an HTTP
 * Host header or {@code --public-address}. It ends up in boot scripts, so only characters that
 * can appear in a host are accepted.
 *
 * @param host a DNS name, an IPv4 literal, or an IPv6 literal in brackets
 * @param port the port, or -1 when the default (80) is meant
 */
public record ServerAddress(String host, int port) {
    private static final Pattern FORM = Pattern.compile(
            "(?<host>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}])(?::(?<port>[0-9]{1,5}))?");
    private static final Pattern IPV4 = Pattern.compile("(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}"
            + "(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])");

    /** Parses "host", "host:port", "[v6]" or "[v6]:port"; null when it is none of them. */
    public static ServerAddress parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        int port = -1;
        if (m.group("port") != null) {
            port = Integer.parseInt(m.group("port"));
            if (port < 1 || port > 65535) {
                return null;
            }
        }
        return new ServerAddress(m.group("host"), port);
    }

    public static ServerAddress parse(String text) {
        ServerAddress address = parseOrNull(text);
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not a server address: write HOST or HOST:PORT"
                    + " (IPv6 as [ADDR]:PORT)");
        }
        return address;
    }

    /** "host:port", or "host" without a port: what goes after "http://" and into slxsrv=. */
    @Override
    public String toString() {
        return port < 0 ? host : host + ":" + port;
    }

    /** The host when it is an IPv4 literal (as PXELINUX puts into ip=), else null. */
    public String ipv4OrNull() {
        return IPV4.matcher(host).matches() ? host : null;
    }
}
