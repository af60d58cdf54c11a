package org.openslx.netboot.net.http;

import java.io.IOException;

/** Answers one request. Exceptions become a 500 answer and a log line. */
@FunctionalInterface
public interface HttpHandler {
    HttpResponse handle(HttpRequest request) throws IOException;
}
