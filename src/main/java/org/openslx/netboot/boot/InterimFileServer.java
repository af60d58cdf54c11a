package org.openslx.netboot.boot;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.openslx.netboot.net.PortListener;
import org.openslx.netboot.net.Protocol;
import org.openslx.netboot.net.http.HttpResponse;
import org.openslx.netboot.net.http.HttpService;

/**
 * INTERIM, until {@code slx server} lands on main: serves the files of one folder (flat, by
 * name) over HTTP on the host's loopback, with Range support, so the guest can fetch the image.
 */
public final class InterimFileServer implements AutoCloseable {
    private final PortListener listener;

    private InterimFileServer(PortListener listener) {
        this.listener = listener;
    }

    public static InterimFileServer serve(Path folder) throws IOException {
        HttpService http = new HttpService(request -> {
            String name = request.path().startsWith("/") ? request.path().substring(1) : request.path();
            if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
                return HttpResponse.notFound();
            }
            Path file = folder.resolve(name);
            return Files.isRegularFile(file) ? HttpResponse.file(file, "application/octet-stream")
                    : HttpResponse.notFound();
        }, (request, status, bytes, nanos) -> { });
        PortListener listener = PortListener.start(
                List.of(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0)),
                Map.of(Protocol.HTTP, http));
        return new InterimFileServer(listener);
    }

    public int port() {
        return listener.boundAddresses().getFirst().getPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
