package org.openslx.netboot.dnbd3.server;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.openslx.netboot.net.http.HttpHandler;
import org.openslx.netboot.net.http.HttpRequest;
import org.openslx.netboot.net.http.HttpResponse;

/**
 * The status over HTTP: {@code GET /query?q=stats&q=images&q=clients&q=altservers} as the
 * reference answers it, and {@code GET /status} with every section. Peers other than loopback
 * get 403 unless remote access was allowed.
 */
final class StatusHttpHandler implements HttpHandler {
    private final Dnbd3Server server;
    private final boolean allowRemote;

    StatusHttpHandler(Dnbd3Server server, boolean allowRemote) {
        this.server = server;
        this.allowRemote = allowRemote;
    }

    @Override
    public HttpResponse handle(HttpRequest request) {
        if (!allowRemote && (request.remote() == null || request.remote().getAddress() == null
                || !request.remote().getAddress().isLoopbackAddress())) {
            return HttpResponse.text(403, "the dnbd3 status is only shown to this machine (loopback)\n");
        }
        return switch (request.path()) {
            case "/query" -> {
                Set<String> sections = new HashSet<>(request.query().getOrDefault("q", List.of()));
                sections.retainAll(StatusJson.SECTIONS);
                yield HttpResponse.json(server.statusJson(sections));
            }
            case "/status" -> HttpResponse.json(server.statusJson(StatusJson.SECTIONS));
            default -> HttpResponse.notFound();
        };
    }
}
