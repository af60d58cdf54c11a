package org.openslx.netboot.net.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ArrayList;

/** Reads one HTTP/1.x request head from a stream, with hard limits against hostile clients. */
final class RequestParser {
    static final int MAX_LINE = 8192;
    static final int MAX_HEADERS = 100;

    /** The request could not be parsed; the connection answers 400 and closes. */
    static final class BadRequest extends IOException {
        BadRequest(String message) {
            super(message);
        }
    }

    private RequestParser() {
    }

    /** Returns null when the stream ended cleanly before a request started. */
    static HttpRequest read(InputStream in, InetSocketAddress remote) throws IOException {
        String requestLine = readLine(in, true);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequest("malformed request line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; ; i++) {
            if (i > MAX_HEADERS) {
                throw new BadRequest("too many headers");
            }
            String line = readLine(in, false);
            if (line == null) {
                throw new BadRequest("connection closed inside the request head");
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest("malformed header line");
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        if (parts[2].equals("HTTP/1.0") && !headers.containsKey("connection")) {
            headers.put("connection", "close");
        }
        String target = parts[1];
        int question = target.indexOf('?');
        String rawPath = question < 0 ? target : target.substring(0, question);
        String rawQuery = question < 0 ? "" : target.substring(question + 1);
        if (!rawPath.startsWith("/")) {
            throw new BadRequest("request target is not an absolute path");
        }
        return new HttpRequest(parts[0], rawPath, decode(rawPath), parseQuery(rawQuery), headers, remote);
    }

    private static String decode(String s) throws BadRequest {
        try {
            // '+' means a space only in queries; keep it literal in paths.
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("bad percent-encoding");
        }
    }

    private static Map<String, List<String>> parseQuery(String rawQuery) throws BadRequest {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                query.computeIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .add(URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("bad percent-encoding in the query");
            }
        }
        return query;
    }

    /** Reads a CRLF- or LF-terminated ISO-8859-1 line; null at a clean end of stream. */
    private static String readLine(InputStream in, boolean mayEnd) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (mayEnd && line.isEmpty()) {
                    return null;
                }
                throw new BadRequest("connection closed inside a line");
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new BadRequest("line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
    }
}
