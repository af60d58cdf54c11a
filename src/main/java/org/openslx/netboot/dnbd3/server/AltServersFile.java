package org.openslx.netboot.dnbd3.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/**
 * Reads the reference's {@code alt-servers} file. INI form: a section {@code [host]} or
 * {@code [host:port]} per server (IPv6 as {@code [[addr]:port]} or bare), keys {@code comment=},
 * {@code for=client|replication}, {@code namespace=} (repeatable). If the file has no section,
 * the legacy line form: {@code host[:port] [comment]}, prefix {@code -} = replication only,
 * {@code +} = clients only. Comments start with {@code #} or {@code ;}. Broken lines are skipped
 * with a warning naming file and line; at most {@value #MAX_SERVERS} servers, duplicates dropped.
 */
public final class AltServersFile {
    private static final System.Logger LOG = System.getLogger(AltServersFile.class.getName());
    /** The reference's compile-time cap ({@code SERVER_MAX_ALTS}). */
    public static final int MAX_SERVERS = 50;

    private AltServersFile() {
    }

    /** Parsed entries plus the complaints about lines that were skipped. */
    public record Result(List<AltServer> servers, List<String> warnings) {
    }

    public static Result read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    public static Result parse(List<String> lines, String source) {
        boolean ini = lines.stream().map(String::strip).anyMatch(l -> l.startsWith("["));
        Result result = ini ? parseIni(lines, source) : parseLegacy(lines, source);
        result.warnings().forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
        return result;
    }

    private static final class Section {
        final InetSocketAddress address;
        String comment = "";
        boolean clientOnly;
        boolean replicationOnly;
        final List<String> namespaces = new ArrayList<>();

        Section(InetSocketAddress address) {
            this.address = address;
        }
    }

    private static Result parseIni(List<String> lines, String source) {
        List<String> warnings = new ArrayList<>();
        Map<InetSocketAddress, Section> sections = new LinkedHashMap<>();
        Section current = null;
        boolean skipping = false;
        for (int i = 0; i < lines.size(); i++) {
            String where = source + " line " + (i + 1);
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                int close = line.lastIndexOf(']');
                current = null;
                skipping = true;
                if (close <= 1) {
                    warnings.add(where + ": section header without a server between [ and ]; skipped");
                    continue;
                }
                try {
                    InetSocketAddress address = parseAddress(line.substring(1, close));
                    if (sections.containsKey(address)) {
                        warnings.add(where + ": server " + address + " listed twice; the second section is ignored");
                    } else if (sections.size() >= MAX_SERVERS) {
                        warnings.add(where + ": more than " + MAX_SERVERS + " servers; the rest is ignored");
                    } else {
                        current = new Section(address);
                        sections.put(address, current);
                        skipping = false;
                    }
                } catch (IllegalArgumentException e) {
                    warnings.add(where + ": " + e.getMessage() + "; section skipped");
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                warnings.add(where + ": expected key=value, got " + quote(line) + "; skipped");
                continue;
            }
            if (current == null) {
                if (!skipping) {
                    warnings.add(where + ": key outside any [server] section; skipped");
                }
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            switch (key) {
                case "comment" -> current.comment = value;
                case "namespace" -> {
                    if (!value.isEmpty()) {
                        current.namespaces.add(value);
                    }
                }
                case "for" -> {
                    switch (value) {
                        case "client" -> current.clientOnly = true;
                        case "replication" -> current.replicationOnly = true;
                        default -> warnings.add(where + ": for=" + quote(value)
                                + " is neither 'client' nor 'replication'; ignored");
                    }
                }
                default -> warnings.add(where + ": unknown key " + quote(key) + "; ignored");
            }
        }
        List<AltServer> servers = new ArrayList<>();
        for (Section s : sections.values()) {
            servers.add(new AltServer(s.address, s.comment, s.clientOnly, s.replicationOnly, s.namespaces));
        }
        return new Result(List.copyOf(servers), List.copyOf(warnings));
    }

    private static Result parseLegacy(List<String> lines, String source) {
        List<String> warnings = new ArrayList<>();
        Map<InetSocketAddress, AltServer> servers = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = source + " line " + (i + 1);
            String line = lines.get(i);
            int pos = 0;
            boolean replicationOnly = false;
            boolean clientOnly = false;
            while (pos < line.length()) {
                char c = line.charAt(pos);
                if (c == '-') {
                    replicationOnly = true;
                } else if (c == '+') {
                    clientOnly = true;
                } else if (c != ' ' && c != '\t') {
                    break;
                }
                pos++;
            }
            String rest = line.substring(pos).strip();
            if (rest.isEmpty() || rest.startsWith("#") || rest.startsWith(";")) {
                continue;
            }
            String[] parts = rest.split("[ \t]+", 2);
            String comment = parts.length > 1 ? parts[1].strip() : "";
            try {
                InetSocketAddress address = parseAddress(parts[0]);
                if (servers.containsKey(address)) {
                    warnings.add(where + ": server " + address + " listed twice; ignored");
                } else if (servers.size() >= MAX_SERVERS) {
                    warnings.add(where + ": more than " + MAX_SERVERS + " servers; the rest is ignored");
                    break;
                } else {
                    servers.put(address, new AltServer(address, comment, clientOnly, replicationOnly, List.of()));
                }
            } catch (IllegalArgumentException e) {
                warnings.add(where + ": " + e.getMessage() + "; skipped");
            }
        }
        return new Result(List.copyOf(servers.values()), List.copyOf(warnings));
    }

    /**
     * {@code host}, {@code host:port}, {@code [v6]}, {@code [v6]:port} or a bare IPv6 address;
     * port defaults to 5003. Host names are resolved now.
     */
    public static InetSocketAddress parseAddress(String text) {
        String host;
        int port = Dnbd3Protocol.DEFAULT_PORT;
        String t = text.strip();
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address " + quote(text) + " has '[' without ']'");
            }
            host = t.substring(1, close);
            String after = t.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("address " + quote(text) + " has junk after ']'");
                }
                port = parsePort(after.substring(1), text);
            }
        } else if (t.indexOf(':') != t.lastIndexOf(':')) {
            host = t; // bare IPv6, no port
        } else if (t.indexOf(':') >= 0) {
            host = t.substring(0, t.indexOf(':'));
            port = parsePort(t.substring(t.indexOf(':') + 1), text);
        } else {
            host = t;
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("address " + quote(text) + " has no host");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host " + quote(host));
        } catch (SecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad address " + quote(text));
        }
    }

    private static int parsePort(String text, String whole) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("address " + quote(whole) + " has a bad port " + quote(text));
    }

    private static String quote(String s) {
        return "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
    }
}
