package org.openslx.netboot.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Listens on one or more TCP addresses and hands each connection, on its own virtual thread, to
 * the handler of the protocol its first byte announces. Several services (dnbd3, HTTP) thereby
 * share one port, so a site needs one address and one port.
 */
public final class PortListener implements Closeable {
    private static final System.Logger LOG = System.getLogger(PortListener.class.getName());

    /** Connections that do not say anything within this time are closed. */
    private static final int FIRST_BYTE_TIMEOUT_MILLIS = 15_000;

    private final Map<Protocol, ConnectionHandler> handlers;
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private PortListener(Map<Protocol, ConnectionHandler> handlers) {
        this.handlers = handlers;
    }

    /** A builder-ish start: give the handlers of the protocols this port speaks. */
    public static PortListener start(List<InetSocketAddress> addresses,
                                     Map<Protocol, ConnectionHandler> handlers) throws IOException {
        PortListener listener = new PortListener(new EnumMap<>(handlers));
        try {
            for (InetSocketAddress address : addresses) {
                ServerSocketChannel server = ServerSocketChannel.open();
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                try {
                    server.bind(address, 512);
                } catch (IOException e) {
                    server.close();
                    throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
                }
                listener.servers.add(server);
                Thread.ofVirtual().name("accept-" + address).start(() -> listener.acceptLoop(server));
            }
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return listener;
    }

    /** The addresses actually bound (port 0 resolved to the real port). */
    public List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> result = new ArrayList<>();
        for (ServerSocketChannel server : servers) {
            try {
                result.add((InetSocketAddress) server.getLocalAddress());
            } catch (IOException e) {
                // Closed meanwhile: not bound any more.
            }
        }
        return result;
    }

    private void acceptLoop(ServerSocketChannel server) {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "accept failed: " + e.getMessage());
                }
                continue;
            }
            open.add(channel);
            Thread.ofVirtual().name("conn-" + remote(channel)).start(() -> dispatch(channel));
        }
    }

    private void dispatch(SocketChannel channel) {
        try (channel) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer head = ByteBuffer.allocate(1);
            // A blocking SocketChannel has no read timeout; the socket adaptor's stream has one.
            channel.socket().setSoTimeout(FIRST_BYTE_TIMEOUT_MILLIS);
            int n = channel.socket().getInputStream().read(head.array(), 0, 1);
            channel.socket().setSoTimeout(0);
            if (n <= 0) {
                return;
            }
            head.position(1).flip();
            Protocol protocol = Protocol.ofFirstByte(head.get(0) & 0xff);
            ConnectionHandler handler = handlers.get(protocol);
            if (handler == null) {
                LOG.log(System.Logger.Level.DEBUG, () -> remote(channel)
                        + ": first byte " + (head.get(0) & 0xff) + " is no protocol served here; closing");
                return;
            }
            handler.serve(channel, head);
        } catch (SocketException | ClosedChannelException e) {
            // The peer went away or we are shutting down: nothing to report.
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, () -> remote(channel) + ": " + e.getMessage());
            }
        } finally {
            open.remove(channel);
        }
    }

    private static String remote(SocketChannel channel) {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    /** Stops accepting and closes every open connection. */
    @Override
    public void close() {
        closed = true;
        for (ServerSocketChannel server : servers) {
            try {
                server.close();
            } catch (IOException e) {
                // Closing anyway.
            }
        }
        for (SocketChannel channel : open) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing anyway.
            }
        }
    }
}
