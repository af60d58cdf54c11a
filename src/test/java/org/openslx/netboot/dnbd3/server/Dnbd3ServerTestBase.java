package org.openslx.netboot.dnbd3.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.net.PortListener;

/** A real server on a loopback port over a temporary base folder. */
abstract class Dnbd3ServerTestBase {
    @TempDir
    Path dir;
    Path base;
    Dnbd3Server server;
    PortListener listener;
    InetSocketAddress address;

    void start(AltServers altServers, Dnbd3Server.Settings settings) throws IOException {
        base = Files.createDirectories(dir.resolve("base"));
        server = Dnbd3Server.start(base, altServers, settings);
        listener = server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), false);
        address = listener.boundAddresses().getFirst();
    }

    void start() throws IOException {
        start(AltServers.none(), new Dnbd3Server.Settings(Duration.ofSeconds(2), Duration.ofSeconds(4)));
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Writes an image of pseudo-random bytes (reproducible from the seed) and returns its content. */
    byte[] image(String relative, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Path file = base.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
        return data;
    }

    RawClient connect() throws IOException {
        return new RawClient(address);
    }
}
