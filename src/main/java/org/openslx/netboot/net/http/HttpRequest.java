package org.openslx.netboot.net.http;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One parsed HTTP request.
 *
 * @param method GET, HEAD, ...
 * @param rawPath the path as sent, still percent-encoded, without the query
 * @param path the percent-decoded path; handlers must still check it for "..", "//" and the like
 * @param query decoded query parameters, each name with all its values in order
 * @param headers header names in lower case
 */
public record HttpRequest(String method, String rawPath, String path, Map<String, List<String>> query,
                          Map<String, String> headers, InetSocketAddress remote) {

    /** The first value of a query parameter, or null. */
    public String queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** A header's value (name case-insensitive), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
