package org.openslx.netboot.net.http;

/** Told about every answered request: one line per request in the log, and whatever else wants to know. */
@FunctionalInterface
public interface RequestLog {
    void completed(HttpRequest request, int status, long bodyBytes, long nanos);

    static RequestLog toSystemLogger() {
        System.Logger logger = System.getLogger("http");
        return (request, status, bytes, nanos) -> logger.log(System.Logger.Level.INFO, line(request, status, bytes, nanos));
    }

    /** "10.0.2.15 GET /boot/config?uuid=.. 200 1234 B 2 ms" */
    static String line(HttpRequest request, int status, long bytes, long nanos) {
        String query = request.query().isEmpty() ? "" : "?" + String.join("&", request.query().entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(v -> e.getKey() + "=" + v)).toList());
        return request.remote().getAddress().getHostAddress() + " " + request.method() + " " + request.rawPath()
                + query + " " + status + " " + bytes + " B " + nanos / 1_000_000 + " ms";
    }
}
