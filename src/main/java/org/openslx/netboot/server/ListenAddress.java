package org.openslx.netboot.server;

import java.net.InetSocketAddress;

/** Parses {@code --listen} values: "ADDR:PORT", "[V6ADDR]:PORT", ":PORT", "PORT" or "ADDR" (port 5003). */
public final class ListenAddress {
    private ListenAddress() {
    }

    public static InetSocketAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || (close + 1 < text.length() && text.charAt(close + 1) != ':')) {
                throw bad(text);
            }
            host = text.substring(1, close);
            port = close + 1 < text.length() ? text.substring(close + 2) : "";
        } else if (text.chars().filter(c -> c == ':').count() > 1) {
            throw bad(text);
        } else if (text.matches("[0-9]+")) {
            host = "";
            port = text;
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? "" : text.substring(colon + 1);
        }
        int number = BootServer.DEFAULT_PORT;
        if (!port.isEmpty()) {
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
                throw bad(text);
            }
            number = Integer.parseInt(port);
        }
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(number) : new InetSocketAddress(host, number);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("--listen " + text + ": cannot resolve '" + host + "'");
        }
        return address;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("--listen " + text + " is not an address: write ADDR:PORT,"
                + " [IPV6]:PORT, :PORT or PORT");
    }
}
