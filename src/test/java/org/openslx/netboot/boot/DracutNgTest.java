package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link DracutNg} fails when it cannot get its packages: one clear sentence, nothing half
 * downloaded left in the cache. A local HTTP server stands in for the Debian mirror (the real one
 * is used by {@link DracutNgBootTest}).
 */
class DracutNgTest {

    @Test
    void unreachableMirrorFailsNamingTheMirrorAndWhatTheBuildNeeds(@TempDir Path cache) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String mirror = "http://127.0.0.1:" + closedPort + "/debian/";
        assertThatThrownBy(() -> DracutNg.install(cache, mirror, line -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("could not be downloaded from " + mirror + "pool/main/d/dracut/dracut-core_")
                .hasMessageContaining("needs 127.0.0.1");
    }

    @Test
    void packageWhoseHashDiffersFromTrixiesIndexIsRefusedAndNotKept(@TempDir Path cache) throws IOException {
        HttpServer server = serving(200, "not a Debian package");
        try {
            String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/debian/";
            assertThatThrownBy(() -> DracutNg.install(cache, mirror, line -> { }))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("but trixie's index lists " + DracutNg.PACKAGES.getFirst().sha256())
                    .hasMessageContaining("refusing to use it");
        } finally {
            server.stop(0);
        }
        try (var left = Files.list(cache.resolve("downloads"))) {
            assertThat(left).as("nothing unverified stays in the cache").isEmpty();
        }
    }

    @Test
    void versionGoneFromTheMirrorSaysWhatToUpdate(@TempDir Path cache) throws IOException {
        HttpServer server = serving(404, "Not Found");
        try {
            String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/debian/";
            assertThatThrownBy(() -> DracutNg.install(cache, mirror, line -> { }))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("HTTP 404")
                    .hasMessageContaining("update DracutNg.VERSION");
        } finally {
            server.stop(0);
        }
    }

    private static HttpServer serving(int status, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }
}
