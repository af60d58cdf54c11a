package org.openslx.netboot.stage3.cmdline;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A server as written in {@code slxsrv=} or {@code SLX_DNBD3_SERVERS}: a host name or address with an
 * optional port ({@code 10.0.0.1}, {@code boot.example.org:8080}, {@code [2001:db8::1]:5003}).
 */
public record ServerAddress(String host, OptionalInt port) {
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");

    public ServerAddress {
        port.ifPresent(p -> {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is not between 1 and 65535");
            }
        });
    }

    public static ServerAddress parse(String text) {
        String host = text;
        OptionalInt port = OptionalInt.empty();
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' opens '[' for an IPv6 address but never closes it");
            }
            host = text.substring(0, close + 1);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + text + "': expected ':port' after ']'");
                }
                port = OptionalInt.of(parsePort(text, rest.substring(1)));
            }
            IpAddress.parse(host);
            return new ServerAddress(host, port);
        }
        int colon = text.indexOf(':');
        if (colon >= 0) {
            if (text.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("'" + text + "': write an IPv6 server in brackets, like [2001:db8::1]:5003");
            }
            host = text.substring(0, colon);
            port = OptionalInt.of(parsePort(text, text.substring(colon + 1)));
        }
        if (host.isEmpty() || !HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a host name or address");
        }
        return new ServerAddress(host, port);
    }

    /** Splits a list separated by commas and/or whitespace; empty items are skipped. */
    public static List<ServerAddress> parseList(String text) {
        List<ServerAddress> servers = new ArrayList<>();
        for (String item : text.trim().split("[,\\s]+")) {
            if (!item.isEmpty()) {
                servers.add(parse(item));
            }
        }
        return servers;
    }

    private static int parsePort(String whole, String port) {
        if (!port.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + whole + "': port '" + port + "' is not a number");
        }
        return Integer.parseInt(port);
    }

    public int portOr(int defaultPort) {
        return port.orElse(defaultPort);
    }

    /** host[:port] as an HTTP authority. */
    public String authority() {
        return port.isPresent() ? host + ":" + port.getAsInt() : host;
    }

    @Override
    public String toString() {
        return authority();
    }
}
