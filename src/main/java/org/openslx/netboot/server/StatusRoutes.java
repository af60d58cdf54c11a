package org.openslx.netboot.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.openslx.netboot.net.http.HttpResponse;

/** The status page ({@code /} with its script and style, from the class path) and {@code /api/status}. */
final class StatusRoutes {
    private static final Map<String, String> PAGES = Map.of(
            "/", "status.html",
            "/status.js", "status.js",
            "/status.css", "status.css");

    private final StatusReport report;

    StatusRoutes(StatusReport report) {
        this.report = report;
    }

    /** The answer, or null when the path is none of these. */
    HttpResponse handle(String path) throws IOException {
        if (path.equals("/api/status")) {
            return HttpResponse.json(report.json());
        }
        String resource = PAGES.get(path);
        if (resource == null) {
            return null;
        }
        try (InputStream in = StatusRoutes.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " is missing from the build");
            }
            return new HttpResponse.Bytes(200, contentType(resource), in.readAllBytes(), Map.of("Cache-Control", "no-cache"));
        }
    }

    private static String contentType(String resource) {
        if (resource.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (resource.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/html; charset=utf-8";
    }
}
