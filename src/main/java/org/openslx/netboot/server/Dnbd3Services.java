package org.openslx.netboot.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openslx.netboot.dnbd3.server.AltServers;
import org.openslx.netboot.dnbd3.server.Dnbd3Server;
import org.openslx.netboot.dnbd3.server.Dnbd3Stats;
import org.openslx.netboot.net.ConnectionHandler;
import org.openslx.netboot.net.http.HttpHandler;

/** The dnbd3 server ({@link Dnbd3Server}) on a data folder's image store, as {@code slx server}'s dnbd3 part. */
public final class Dnbd3Services {
    /** Beside images/ and boot/: the reference's alt-servers file, told to clients by GET_SERVERS. */
    public static final String ALT_SERVERS_FILE = "alt-servers";

    private Dnbd3Services() {
    }

    /** Serves {@code images/} of the folder; {@code alt-servers} in the folder, if present, lists alt servers. */
    public static Dnbd3Service forStore(DataFolder folder) throws IOException {
        Path altServersFile = folder.root().resolve(ALT_SERVERS_FILE);
        AltServers altServers = Files.isRegularFile(altServersFile) ? AltServers.fromFile(altServersFile) : AltServers.none();
        return new Embedded(Dnbd3Server.start(folder.images(), altServers, Dnbd3Server.Settings.DEFAULT));
    }

    private record Embedded(Dnbd3Server server) implements Dnbd3Service {
        @Override
        public ConnectionHandler connections() {
            return server.handler();
        }

        @Override
        public HttpHandler referenceStatus() {
            // Open to every peer like the reference without rpc.acl, and like our own /api/status.
            return server.statusHandler(true);
        }

        @Override
        public List<Client> clients() {
            return server.stats().clients().stream()
                    .map(c -> new Client(c.address(), c.image(), c.rid(), c.bytesSent(), c.since()))
                    .toList();
        }

        @Override
        public long bytesSent() {
            Dnbd3Stats stats = server.stats();
            return stats.bytesSent();
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
