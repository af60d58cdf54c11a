package org.openslx.netboot.dnbd3.server;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;
import org.openslx.netboot.dnbd3.protocol.ServerEntry;

/**
 * The alt servers told to clients by GET_SERVERS. The file is re-read when its modification time
 * changes, so edits apply without a restart. Selection as in the reference: no replication-only
 * servers, only those whose namespace fits the image, closest address first (matching leading
 * 4-bit nibbles; other address family last), at most {@link Dnbd3Protocol#NUMBER_SERVERS}.
 */
public final class AltServers {
    private static final System.Logger LOG = System.getLogger(AltServers.class.getName());

    private final Path file;
    private volatile List<AltServer> servers;
    private volatile FileTime loadedVersion;

    private AltServers(Path file, List<AltServer> servers, FileTime version) {
        this.file = file;
        this.servers = servers;
        this.loadedVersion = version;
    }

    /** No alt servers: GET_SERVERS answers an empty list. */
    public static AltServers none() {
        return new AltServers(null, List.of(), null);
    }

    /** Reads the file now (it must exist) and again whenever it changes. */
    public static AltServers fromFile(Path file) throws IOException {
        FileTime version = Files.getLastModifiedTime(file);
        List<AltServer> servers = AltServersFile.read(file).servers();
        LOG.log(System.Logger.Level.INFO, "read " + servers.size() + " alt server(s) from " + file);
        return new AltServers(file, servers, version);
    }

    /** A fixed list (tests, or a boot server that builds the list itself). */
    public static AltServers of(List<AltServer> servers) {
        return new AltServers(null, List.copyOf(servers), null);
    }

    /** All entries, the file re-read first if it changed. */
    public List<AltServer> all() {
        refresh();
        return servers;
    }

    /** The GET_SERVERS answer for a client at {@code client} using image {@code imageName}. */
    public List<ServerEntry> forClient(InetAddress client, String imageName) {
        record Scored(AltServer server, int score) {
        }
        List<Scored> scored = new ArrayList<>();
        for (AltServer server : all()) {
            if (server.advertisedFor(imageName)) {
                scored.add(new Scored(server, closeness(client, server.address().getAddress())));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::score).reversed()); // stable: file order among equals
        return scored.stream().limit(Dnbd3Protocol.NUMBER_SERVERS)
                .map(s -> ServerEntry.of(s.server().address())).toList();
    }

    /** Matching leading nibbles of two addresses; -128 for different address families. */
    static int closeness(InetAddress a, InetAddress b) {
        if (a == null || b == null || (a instanceof Inet4Address) != (b instanceof Inet4Address)) {
            return -128;
        }
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        int score = 0;
        for (int i = 0; i < x.length; i++) {
            if ((x[i] & 0xf0) != (y[i] & 0xf0)) {
                return score;
            }
            score++;
            if ((x[i] & 0x0f) != (y[i] & 0x0f)) {
                return score;
            }
            score++;
        }
        return score;
    }

    private void refresh() {
        if (file == null) {
            return;
        }
        try {
            FileTime now = Files.getLastModifiedTime(file);
            if (now.equals(loadedVersion)) {
                return;
            }
            synchronized (this) {
                if (!now.equals(loadedVersion)) {
                    servers = AltServersFile.read(file).servers();
                    loadedVersion = now;
                    LOG.log(System.Logger.Level.INFO, "re-read " + servers.size() + " alt server(s) from " + file);
                }
            }
        } catch (NoSuchFileException e) {
            if (!servers.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "alt-servers file " + file + " is gone; advertising none");
                servers = List.of();
                loadedVersion = null;
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot re-read alt-servers file " + file + ": " + e.getMessage());
        }
    }
}
