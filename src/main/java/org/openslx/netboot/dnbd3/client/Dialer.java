package org.openslx.netboot.dnbd3.client;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Supplier;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/**
 * Connects to one server for a failover or a probe round, as the reference clients probe: new
 * connection, SELECT_IMAGE with the pinned name and revision, and a 4 KiB GET_BLOCK at offset 0
 * whose round trip goes into the server's RTT history. A server offering another image version
 * is shut out for {@link #MISMATCH_REFUSED_FOR}; one that closes the connection after
 * SELECT_IMAGE (no such image or revision, or a busy proxy, which refuses at random) for
 * {@link #CLOSED_REFUSED_FOR}. Each refusal is logged once per shut-out.
 */
final class Dialer {
    private static final Logger LOG = System.getLogger("org.openslx.netboot.dnbd3.client");
    static final Duration MISMATCH_REFUSED_FOR = Duration.ofMinutes(5);
    static final Duration CLOSED_REFUSED_FOR = Duration.ofSeconds(30);

    private final String source;
    private final Supplier<ImageIdentity> pinned;
    private final Duration timeout;

    Dialer(String source, Supplier<ImageIdentity> pinned, Duration timeout) {
        this.source = source;
        this.pinned = pinned;
        this.timeout = timeout;
    }

    /** A connection to {@code server} serving the pinned image, its RTT recorded; or why not. */
    Connection dial(ServerState server) throws IOException {
        return dial(server, timeout);
    }

    /** As {@link #dial(ServerState)}, with {@code timeout} for each step instead of the usual one. */
    Connection dial(ServerState server, Duration timeout) throws IOException {
        ImageIdentity image = pinned.get();
        Connection connection;
        try {
            connection = Connection.open(server.address(), image.name(), image.rid(), timeout);
        } catch (ImageRefusedException e) {
            refuse(server, e.getMessage(), CLOSED_REFUSED_FOR);
            throw e;
        } catch (IOException e) {
            server.probeFailed();
            throw e;
        }
        try {
            String mismatch = image.mismatch(connection.image());
            if (mismatch != null) {
                refuse(server, mismatch, MISMATCH_REFUSED_FOR);
                throw new ImageRefusedException(mismatch);
            }
            int length = (int) Math.min(Dnbd3Protocol.BLOCK_SIZE, image.size());
            server.probeSucceeded(connection.probe(0, length, timeout));
            return connection;
        } catch (IOException e) {
            if (!(e instanceof ImageRefusedException)) {
                server.probeFailed();
            }
            connection.close();
            throw e;
        }
    }

    private void refuse(ServerState server, String why, Duration shutOutFor) {
        server.probeFailed();
        if (!server.excluded(System.nanoTime())) {
            LOG.log(Level.WARNING, "{0}: refusing server {1}: {2}", source, server.address(), why);
        }
        server.exclude(System.nanoTime(), shutOutFor, why);
    }
}
