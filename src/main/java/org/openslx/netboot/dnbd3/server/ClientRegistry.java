package org.openslx.netboot.dnbd3.server;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The connected clients and the bytes sent, for statistics. Thread-safe. */
final class ClientRegistry {

    /** One connected client; the connection handler counts its bytes here. */
    static final class Session {
        final InetSocketAddress remote;
        final Image image;
        final Instant since = Instant.now();
        final AtomicLong bytesSent = new AtomicLong();
        volatile boolean isServer;

        Session(InetSocketAddress remote, Image image, boolean isServer) {
            this.remote = remote;
            this.image = image;
            this.isServer = isServer;
        }

        void sent(long bytes) {
            bytesSent.addAndGet(bytes);
        }
    }

    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesOfClosedSessions = new AtomicLong();

    Session open(InetSocketAddress remote, Image image, boolean isServer) {
        Session session = new Session(remote, image, isServer);
        sessions.add(session);
        return session;
    }

    void close(Session session) {
        if (sessions.remove(session)) {
            bytesOfClosedSessions.addAndGet(session.bytesSent.get());
        }
    }

    int count() {
        return sessions.size();
    }

    long bytesSent() {
        long total = bytesOfClosedSessions.get();
        for (Session s : sessions) {
            total += s.bytesSent.get();
        }
        return total;
    }

    List<Dnbd3Stats.Client> snapshot() {
        List<Dnbd3Stats.Client> list = new ArrayList<>();
        for (Session s : sessions) {
            list.add(new Dnbd3Stats.Client(address(s.remote), s.image.name(), s.image.rid(),
                    s.bytesSent.get(), s.since, s.isServer));
        }
        list.sort((a, b) -> a.since().compareTo(b.since()));
        return list;
    }

    static String address(InetSocketAddress remote) {
        if (remote == null) {
            return "?";
        }
        String host = remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + remote.getPort();
    }
}
