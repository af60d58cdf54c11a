package org.openslx.netboot.dnbd3.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/**
 * A dnbd3 image address: {@code dnbd3://HOST[:PORT][,HOST[:PORT]].../NAME[?rid=N]}.
 *
 * <p>IPv6 hosts go in brackets ({@code [fd00::1]:5003}); the port defaults to 5003. NAME is the
 * image name as the server knows it, sub-folders included ({@code rz/win10.qcow2}); it may be
 * percent-encoded ({@code %20} for a space). {@code rid=0} or no rid means "the latest revision
 * the first server offers", which the client then keeps for its whole life.
 *
 * @param servers the servers, in the order given, duplicates removed
 * @param imageName the image name, decoded
 * @param rid the wanted revision, 0 for the latest
 */
public record Dnbd3Url(List<ServerAddress> servers, String imageName, int rid) {

    public static final String SCHEME = "dnbd3://";

    public Dnbd3Url {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a dnbd3 URL needs at least one server");
        }
        String problem = nameProblem(imageName);
        if (problem != null) {
            throw new IllegalArgumentException("image name '" + imageName + "' " + problem);
        }
        if (rid < 0 || rid > 0xffff) {
            throw new IllegalArgumentException("rid " + rid + " is not in 0..65535");
        }
    }

    /** Whether {@code spec} is meant as a dnbd3 URL (by its scheme). */
    public static boolean isDnbd3Url(String spec) {
        return spec.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * Parses a dnbd3 URL.
     *
     * @throws IllegalArgumentException naming the part of the URL that is wrong
     */
    public static Dnbd3Url parse(String url) {
        if (!isDnbd3Url(url)) {
            throw new IllegalArgumentException("'" + url + "' is not a dnbd3 URL: it must start with " + SCHEME);
        }
        String rest = url.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("dnbd3 URL '" + url + "' has no image name: expected "
                    + SCHEME + "HOST[:PORT][,HOST[:PORT]].../NAME[?rid=N]");
        }
        List<ServerAddress> servers = parseServers(rest.substring(0, slash), url);
        String path = rest.substring(slash + 1);
        int rid = 0;
        int question = path.indexOf('?');
        if (question >= 0) {
            rid = parseQuery(path.substring(question + 1), url);
            path = path.substring(0, question);
        }
        String name = percentDecode(path, url);
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("dnbd3 URL '" + url + "': image name '" + name + "' " + problem);
        }
        return new Dnbd3Url(servers, name, rid);
    }

    private static List<ServerAddress> parseServers(String authority, String url) {
        if (authority.isEmpty()) {
            throw new IllegalArgumentException("dnbd3 URL '" + url + "' names no server");
        }
        Set<ServerAddress> servers = new LinkedHashSet<>();
        for (String part : authority.split(",", -1)) {
            servers.add(parseServer(part, url));
        }
        return new ArrayList<>(servers);
    }

    /** Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}. */
    static ServerAddress parseServer(String part, String url) {
        String host;
        String port = null;
        if (part.startsWith("[")) {
            int close = part.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("dnbd3 URL '" + url + "': server '" + part + "' lacks the closing ']'");
            }
            host = part.substring(1, close);
            String after = part.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("dnbd3 URL '" + url + "': server '" + part
                            + "' has '" + after + "' after the address; expected ':PORT'");
                }
                port = after.substring(1);
            }
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("dnbd3 URL '" + url + "': server '" + part
                        + "' is in brackets but is no IPv6 address");
            }
        } else {
            int colon = part.indexOf(':');
            if (colon >= 0 && part.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("dnbd3 URL '" + url + "': server '" + part
                        + "' looks like an IPv6 address; write it in brackets, e.g. [" + part + "]");
            }
            host = colon < 0 ? part : part.substring(0, colon);
            port = colon < 0 ? null : part.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("dnbd3 URL '" + url + "': empty server name in '" + part + "'");
        }
        return new ServerAddress(host, port == null ? Dnbd3Protocol.DEFAULT_PORT : parsePort(port, part, url));
    }

    private static int parsePort(String port, String part, String url) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("dnbd3 URL '" + url + "': server '" + part + "' has a bad port '" + port + "'");
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 0xffff) {
            throw new IllegalArgumentException("dnbd3 URL '" + url + "': port " + value + " of server '" + part
                    + "' is not in 1..65535");
        }
        return value;
    }

    private static int parseQuery(String query, String url) {
        int rid = 0;
        for (String parameter : query.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            if (!parameter.startsWith("rid=")) {
                throw new IllegalArgumentException("dnbd3 URL '" + url + "': unknown parameter '" + parameter
                        + "' (only rid=N is known)");
            }
            String value = parameter.substring(4);
            if (value.isEmpty() || value.length() > 5 || !value.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(value) > 0xffff) {
                throw new IllegalArgumentException("dnbd3 URL '" + url + "': rid '" + value + "' is not a number in 0..65535");
            }
            rid = Integer.parseInt(value);
        }
        return rid;
    }

    private static String percentDecode(String text, String url) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("dnbd3 URL '" + url + "': bad percent escape at '"
                            + text.substring(i, Math.min(i + 3, text.length())) + "' in the image name");
                }
                bytes.write(Integer.parseInt(text, i + 1, i + 3, 16));
                i += 3;
            } else {
                int next = text.indexOf('%', i);
                int end = next < 0 ? text.length() : next;
                bytes.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Why the reference server would refuse this name (so we fail early with a clear message),
     * or null: non-empty, no leading or trailing '/', not starting with '.', no "/." inside.
     */
    static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.startsWith("/") || name.endsWith("/")) {
            return "must not start or end with '/'";
        }
        if (name.startsWith(".") || name.contains("/.")) {
            return "must not have a part starting with '.' (the server refuses hidden and relative names)";
        }
        if (name.indexOf('\0') >= 0) {
            return "contains a NUL byte";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 994) {
            return "is longer than 994 bytes";
        }
        return null;
    }

    /** The URL again, with ports spelt out and the rid if one was asked for. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(SCHEME);
        for (int i = 0; i < servers.size(); i++) {
            text.append(i == 0 ? "" : ",").append(servers.get(i));
        }
        text.append('/').append(imageName);
        if (rid != 0) {
            text.append("?rid=").append(rid);
        }
        return text.toString();
    }
}
