package org.openslx.netboot.dnbd3.client;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openslx.netboot.dnbd3.protocol.ServerEntry;

/**
 * The servers the client knows: those of the URL, then those learnt from GET_SERVERS (at most
 * {@value #MAX_SERVERS} in all, as dnbd3-fuse), each with its {@link ServerState}.
 */
final class ServerList {
    private static final Logger LOG = System.getLogger("org.openslx.netboot.dnbd3.client");
    static final int MAX_SERVERS = 16;
    /** In normal rounds after start-up, the current server plus this many others are probed (kernel client). */
    static final int PROBED_OTHERS = 3;
    static final Duration DISTRUSTED_FOR = Duration.ofMinutes(10);

    private final String source;
    private final List<ServerState> servers = new CopyOnWriteArrayList<>();

    ServerList(String source, List<ServerAddress> fromUrl) {
        this.source = source;
        for (ServerAddress address : fromUrl) {
            servers.add(new ServerState(address, false));
        }
    }

    List<ServerState> all() {
        return servers;
    }

    int size() {
        return servers.size();
    }

    ServerState stateOf(ServerAddress address) {
        for (ServerState server : servers) {
            if (server.address().equals(address)) {
                return server;
            }
        }
        throw new IllegalStateException("unknown server " + address);
    }

    /** Adds the servers of a GET_SERVERS reply that are new (entries with failures are skipped, as the kernel does). */
    void learn(List<ServerEntry> entries, ServerAddress from) {
        for (ServerEntry entry : entries) {
            if (entry.failures() != 0 || entry.port() == 0) {
                continue;
            }
            ServerAddress address = ServerAddress.of(entry.address(), entry.port());
            synchronized (servers) {
                if (servers.size() >= MAX_SERVERS || servers.stream().anyMatch(s -> s.address().equals(address))) {
                    continue;
                }
                servers.add(new ServerState(address, true));
            }
            LOG.log(Level.INFO, "{0}: learnt server {1} from {2}", source, address, from);
        }
    }

    /** Shuts these servers out for a while: they delivered data that failed its CRC check. */
    void distrust(Set<ServerAddress> bad, String reason) {
        long now = System.nanoTime();
        for (ServerState server : servers) {
            if (bad.contains(server.address())) {
                server.exclude(now, DISTRUSTED_FOR, reason);
            }
        }
    }

    /**
     * Whom to probe in a round: the current server and, during start-up, all others that are not
     * shut out; afterwards {@value #PROBED_OTHERS} of them at random.
     */
    List<ServerState> probeCandidates(ServerAddress current, boolean startup) {
        long now = System.nanoTime();
        List<ServerState> candidates = new ArrayList<>();
        List<ServerState> others = new ArrayList<>();
        for (ServerState server : servers) {
            if (server.excluded(now)) {
                continue;
            }
            (server.address().equals(current) ? candidates : others).add(server);
        }
        if (!startup && others.size() > PROBED_OTHERS) {
            Collections.shuffle(others);
            others = others.subList(0, PROBED_OTHERS);
        }
        candidates.addAll(others);
        return candidates;
    }

    /** The servers not shut out now, and those that are. */
    List<List<ServerState>> trustedAndShutOut() {
        long now = System.nanoTime();
        List<ServerState> trusted = new ArrayList<>();
        List<ServerState> shutOut = new ArrayList<>();
        for (ServerState server : servers) {
            (server.excluded(now) ? shutOut : trusted).add(server);
        }
        return List.of(trusted, shutOut);
    }

    List<Dnbd3Statistics.Server> snapshot() {
        long now = System.nanoTime();
        List<Dnbd3Statistics.Server> list = new ArrayList<>();
        for (ServerState server : servers) {
            list.add(new Dnbd3Statistics.Server(server.address(), server.rtt().mean(), server.learnt(),
                    server.excluded(now) ? server.exclusionReason() : null));
        }
        return List.copyOf(list);
    }
}
