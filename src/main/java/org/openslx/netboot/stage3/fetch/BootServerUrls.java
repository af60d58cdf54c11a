package org.openslx.netboot.stage3.fetch;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.openslx.netboot.stage3.cmdline.ServerAddress;

/**
 * The URLs of a file beside the config: {@code http://<slxsrv>/<slxbase>/<file>}, one per server,
 * with {@code ?uuid=<system uuid>} when the machine's UUID is known (bwLehrpool's servers pick the
 * per-machine config by it).
 */
public final class BootServerUrls {
    private BootServerUrls() {
    }

    public static List<URI> of(List<ServerAddress> servers, String basePath, String file, Optional<String> uuid) {
        String path = (basePath.isEmpty() ? "" : "/" + basePath) + "/" + file;
        String query = uuid.map(u -> "?uuid=" + u).orElse("");
        return servers.stream().map(s -> URI.create("http://" + s.authority() + path + query)).toList();
    }
}
