package org.openslx.netboot.net.http;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** What a handler answers: a body in memory or a file streamed from disk (with Range support). */
public sealed interface HttpResponse {

    int status();

    String contentType();

    /** Extra headers, e.g. Cache-Control. */
    Map<String, String> headers();

    record Bytes(int status, String contentType, byte[] body, Map<String, String> headers)
            implements HttpResponse {
    }

    /** A file sent zero-copy; the server answers Range requests on it with 206. */
    record File(int status, String contentType, Path path, Map<String, String> headers)
            implements HttpResponse {
    }

    static HttpResponse text(int status, String text) {
        return new Bytes(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static HttpResponse html(String html) {
        return new Bytes(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static HttpResponse json(String json) {
        return new Bytes(200, "application/json", json.getBytes(StandardCharsets.UTF_8),
                Map.of("Cache-Control", "no-store"));
    }

    static HttpResponse file(Path path, String contentType) {
        return new File(200, contentType, path, Map.of());
    }

    static HttpResponse notFound() {
        return text(404, "not found\n");
    }

    static HttpResponse forbidden() {
        return text(403, "forbidden\n");
    }
}
