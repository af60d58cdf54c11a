package org.openslx.netboot.nbd;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openslx.netboot.block.BlockSource;

/**
 * Serves one {@link Export} over NBD (fixed newstyle handshake) to any number of clients: on
 * unix sockets, on TCP, or on sockets the caller already connected (e.g. one end of a socket
 * pair handed to the kernel's nbd driver). Each client is served on its own virtual thread.
 *
 * <p>The server never closes the source; its owner does, after {@link #close()}.
 */
public final class NbdServer implements Closeable {
    private static final System.Logger LOG = System.getLogger(NbdServer.class.getName());
    /**
     * Requests in flight per connection: bounds threads and buffer memory per client (at most
     * 8 x 256 KiB). nbdcopy's four connections give 32 reads in parallel, plenty for two cores.
     */
    static final int DEFAULT_SLOTS_PER_CONNECTION = 8;
    /** How long {@link #close()} lets connections finish their in-flight replies. */
    private static final long SHUTDOWN_GRACE_MILLIS = 5_000;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Export export;
    private final int slotsPerConnection;
    /** Send buffer asked for on unix socket connections. */
    private static final int UNIX_SEND_BUFFER = Integer.getInteger("slx.nbd.sndbuf", 1 << 20);
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> connectionThreads = ConcurrentHashMap.newKeySet();
    private final AtomicLong clientNumbers = new AtomicLong();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing;

    private record Listener(ServerSocketChannel channel, Path unixSocket, String description) {
    }

    public NbdServer(Export export) {
        this(export, DEFAULT_SLOTS_PER_CONNECTION);
    }

    NbdServer(Export export, int slotsPerConnection) {
        this.export = export;
        this.slotsPerConnection = slotsPerConnection;
    }

    /** Serves {@code source} as the default export on a new unix socket at {@code socket}. */
    public static NbdServer serveUnix(Path socket, BlockSource source) throws IOException {
        NbdServer server = new NbdServer(new Export("", source));
        server.listenUnix(socket);
        return server;
    }

    /** Serves {@code source} as the default export on TCP; port 0 picks a free port. */
    public static NbdServer serveTcp(InetSocketAddress address, BlockSource source) throws IOException {
        NbdServer server = new NbdServer(new Export("", source));
        server.listenTcp(address);
        return server;
    }

    public Export export() {
        return export;
    }

    /**
     * Listens on a unix socket. A stale socket file left by a crashed server is replaced; a
     * live one, or any other file, is an error. {@link #close()} removes the file.
     */
    public void listenUnix(Path socket) throws IOException {
        removeStaleSocket(socket);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw new IOException(socket + ": cannot listen on this unix socket: " + e.getMessage(), e);
        }
        startListener(new Listener(channel, socket, "unix:" + socket));
    }

    /** Listens on TCP and returns the bound address (with the real port if 0 was asked for). */
    public InetSocketAddress listenTcp(InetSocketAddress address) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address);
        } catch (IOException e) {
            channel.close();
            throw new IOException(address + ": cannot listen on this TCP address: " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
        startListener(new Listener(channel, null, "tcp:" + hostAndPort(bound)));
        return bound;
    }

    /** Where the server listens, e.g. {@code unix:/run/slx/nbd.sock}, for log lines. */
    public List<String> endpoints() {
        return listeners.stream().map(Listener::description).toList();
    }

    /**
     * Serves a client on a socket that is already connected, in the background; returns at
     * once. The server closes the socket when the client is done or the server closes.
     */
    public void serve(SocketChannel client, String peer) {
        if (closing) {
            closeQuietly(client);
            return;
        }
        NbdConnection connection = new NbdConnection(client, export, peer, slotsPerConnection, connections::remove);
        connections.add(connection);
        Thread thread = Thread.ofVirtual().name("nbd " + peer).unstarted(() -> {
            try {
                connection.run();
            } finally {
                connectionThreads.remove(Thread.currentThread());
            }
        });
        connectionThreads.add(thread);
        thread.start();
        if (closing) {
            connection.stopReading();
        }
    }

    /** {@link #serve(SocketChannel, String)} with a numbered name for the log. */
    public void serve(SocketChannel client) {
        serve(client, "client #" + clientNumbers.incrementAndGet());
    }

    private void startListener(Listener listener) {
        if (closing) {
            closeQuietly(listener.channel());
            throw new IllegalStateException("the NBD server is closed");
        }
        listeners.add(listener);
        Thread.ofVirtual().name("nbd accept " + listener.description()).start(() -> accept(listener));
    }

    private void accept(Listener listener) {
        boolean tcp = listener.unixSocket() == null;
        while (!closing) {
            SocketChannel client;
            try {
                client = listener.channel().accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // E.g. out of file descriptors: say so and retry a little later instead of spinning.
                LOG.log(Level.WARNING, "{0}: accepting a client failed: {1}", listener.description(), e.getMessage());
                sleepQuietly(200);
                continue;
            }
            String peer;
            if (tcp) {
                try {
                    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    peer = "client " + hostAndPort((InetSocketAddress) client.getRemoteAddress())
                            + " on " + listener.description();
                } catch (IOException e) {
                    closeQuietly(client);
                    continue;
                }
            } else {
                peer = "client #" + clientNumbers.incrementAndGet() + " on " + listener.description();
                try {
                    // Room for a whole large read reply: sendfile then hands it over in one call
                    // instead of waking up again for each piece the default ~200 KiB lets through.
                    // The kernel caps it at net.core.wmem_max; memory is only used while queued.
                    client.setOption(StandardSocketOptions.SO_SNDBUF, UNIX_SEND_BUFFER);
                } catch (IOException | UnsupportedOperationException e) {
                    LOG.log(Level.DEBUG, "{0}: keeping the default send buffer ({1})", peer, e.getMessage());
                }
            }
            serve(client, peer);
        }
    }

    /**
     * Stops listening (removing unix socket files), lets connected clients finish the requests
     * they already sent for a few seconds, then closes their connections.
     */
    @Override
    public void close() {
        if (closing) {
            awaitClosedQuietly();
            return;
        }
        closing = true;
        try {
            for (Listener listener : listeners) {
                closeQuietly(listener.channel());
                if (listener.unixSocket() != null) {
                    try {
                        Files.deleteIfExists(listener.unixSocket());
                    } catch (IOException e) {
                        LOG.log(Level.WARNING, "{0}: cannot remove the socket file: {1}", listener.unixSocket(),
                                e.getMessage());
                    }
                }
            }
            connections.forEach(NbdConnection::stopReading);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_GRACE_MILLIS);
            for (Thread thread : Set.copyOf(connectionThreads)) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    thread.join(Duration.ofNanos(left));
                }
            }
            connections.forEach(NbdConnection::close);
        } catch (InterruptedException e) {
            connections.forEach(NbdConnection::close);
            Thread.currentThread().interrupt();
        } finally {
            closed.countDown();
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    private void awaitClosedQuietly() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeStaleSocket(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(socket + ": exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            throw new IOException(socket + ": another server is listening on this socket");
        } catch (ConnectException e) {
            Files.deleteIfExists(socket);
        }
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing left to do with it.
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
