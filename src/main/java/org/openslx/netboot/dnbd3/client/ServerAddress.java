package org.openslx.netboot.dnbd3.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One dnbd3 server as the client knows it: host and port. Like the reference kernel client (and
 * unlike dnbd3-fuse), the identity is address <em>and</em> port, so two servers on one machine on
 * different ports are two servers.
 *
 * @param host a host name, an IPv4 address or an IPv6 address (without brackets)
 * @param port TCP port, 1..65535
 */
public record ServerAddress(String host, int port) {

    public ServerAddress {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("server without host");
        }
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port + " of server " + host + " is not in 1..65535");
        }
    }

    /** A server learnt as an address (GET_SERVERS), written as its numeric form. */
    public static ServerAddress of(InetAddress address, int port) {
        return new ServerAddress(address.getHostAddress(), port);
    }

    /** Resolves the host now (a name may point elsewhere later). */
    public InetSocketAddress resolve() {
        return new InetSocketAddress(host, port);
    }

    /** {@code host:port}, IPv6 addresses in brackets: {@code [fd00::1]:5003}. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
