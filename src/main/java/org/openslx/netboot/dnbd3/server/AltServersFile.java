package org.openslx.netboot.dnbd3.server;

import static org.openslx.netboot.net.HostPort.quote;

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
import org.openslx.netboot.net.HostPort;

/**
 * Reads the reference's {@code alt-servers} file the way dnbd3-server does
 * (src/server/altservers.c {@code altservers_load()} with the inih parser in src/server/ini.c):
 * first as INI, and only if that yields no server, as the legacy line format.
 *
 * <p>INI: a section {@code [host]} or {@code [host:port]} per server (IPv6 bare, or as
 * {@code [[addr]:port]}, which the reference cannot express), keys {@code comment=},
 * {@code for=client|replication}, {@code namespace=} (repeatable); {@code ':'} works as well as
 * {@code '='}, {@code ;} after whitespace starts a comment in a value, whole-line comments start
 * with {@code #} or {@code ;}. As in inih, an indented line after a key continues that key (a
 * second value), and a server only exists once a key of its section was read: a section without
 * keys is ignored. A server listed twice is one server, the keys of both sections apply.
 *
 * <p>Legacy: {@code host[:port] [comment]}, prefix {@code -} = replication only, {@code +} =
 * clients only. Broken lines are skipped with a warning naming file and line; at most
 * {@value #MAX_SERVERS} servers.
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
        Result ini = parseIni(lines, source);
        Result result = ini;
        if (ini.servers().isEmpty()) {
            Result legacy = parseLegacy(lines, source);
            // Nothing either way from a file with [sections]: it was meant as INI, say why that failed.
            boolean meantAsIni = legacy.servers().isEmpty()
                    && lines.stream().map(String::strip).anyMatch(l -> l.startsWith("[") && l.indexOf(']') > 0);
            List<String> warnings = new ArrayList<>(meantAsIni ? ini.warnings() : List.of());
            warnings.addAll(legacy.warnings());
            result = new Result(legacy.servers(), List.copyOf(warnings));
        }
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
        InetSocketAddress address = null; // of the current section; null before any or if invalid
        String sectionWhere = null;
        boolean sectionHasKeys = false;
        boolean sectionReported = false;
        String previousKey = null;
        for (int i = 0; i < lines.size(); i++) {
            String where = source + " line " + (i + 1);
            String raw = i == 0 && lines.get(i).startsWith("\uFEFF") ? lines.get(i).substring(1) : lines.get(i);
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String key;
            String value;
            if (previousKey != null && Character.isWhitespace(raw.charAt(0))) {
                // inih (INI_ALLOW_MULTILINE): an indented line continues the previous key.
                key = previousKey;
                value = stripInlineComment(line);
                if (line.indexOf('=') >= 0) {
                    warnings.add(where + ": indented line " + quote(line) + " continues the value of '" + key
                            + "' (as in dnbd3-server); remove the indentation to make it a key of its own");
                }
            } else if (line.startsWith("[")) {
                int close = line.lastIndexOf(']');
                if (close < 0) {
                    warnings.add(where + ": section header without ']'; skipped");
                    continue;
                }
                if (sectionWhere != null && !sectionHasKeys && !sectionReported) {
                    warnings.add(keylessSection(sectionWhere));
                }
                previousKey = null;
                sectionWhere = where;
                sectionHasKeys = false;
                sectionReported = false;
                address = null;
                String text = line.substring(1, close);
                try {
                    address = parseAddress(text);
                    if (sections.containsKey(address)) {
                        warnings.add(where + ": server " + address + " listed twice; the keys of both sections apply");
                        sectionReported = true;
                    }
                } catch (IllegalArgumentException e) {
                    warnings.add(where + ": " + (text.isEmpty() ? "section header without a server" : e.getMessage())
                            + "; section skipped");
                    sectionReported = true;
                }
                continue;
            } else {
                int separator = findBeforeComment(line, '=');
                if (separator < 0) {
                    separator = findBeforeComment(line, ':');
                }
                if (separator < 0) {
                    warnings.add(where + ": expected key=value, got " + quote(line) + "; skipped");
                    continue;
                }
                key = line.substring(0, separator).strip();
                value = stripInlineComment(line.substring(separator + 1).strip());
                previousKey = key;
            }
            sectionHasKeys = true;
            if (address == null) {
                if (!sectionReported) {
                    warnings.add(where + ": key outside any [server] section; skipped");
                    sectionReported = true;
                }
                continue;
            }
            Section current = sections.get(address);
            if (current == null) {
                if (sections.size() >= MAX_SERVERS) {
                    if (!sectionReported) {
                        warnings.add(where + ": more than " + MAX_SERVERS + " servers; " + address + " is ignored");
                        sectionReported = true;
                    }
                    continue;
                }
                current = new Section(address);
                sections.put(address, current);
            }
            switch (key) {
                case "comment" -> current.comment = value;
                case "namespace" -> current.namespaces.add(value);
                case "for" -> {
                    // The reference compares "client" with strncmp(value, "client", 6).
                    if (value.startsWith("client")) {
                        current.clientOnly = true;
                        current.replicationOnly = false;
                    } else if (value.equals("replication")) {
                        current.replicationOnly = true;
                        current.clientOnly = false;
                    } else {
                        warnings.add(where + ": for=" + quote(value) + " is neither 'client' nor 'replication'; ignored");
                    }
                }
                default -> warnings.add(where + ": unknown key " + quote(key) + "; ignored");
            }
        }
        if (sectionWhere != null && !sectionHasKeys && !sectionReported) {
            warnings.add(keylessSection(sectionWhere));
        }
        List<AltServer> servers = new ArrayList<>();
        for (Section s : sections.values()) {
            servers.add(new AltServer(s.address, s.comment, s.clientOnly, s.replicationOnly, s.namespaces));
        }
        return new Result(List.copyOf(servers), List.copyOf(warnings));
    }

    private static String keylessSection(String where) {
        return where + ": section without any key=value line; dnbd3-server ignores such a section, so it is"
                + " ignored here too (add a line like comment=... to use this server)";
    }

    /** inih's find_char_or_comment(): index of c, or -1 if a comment (';' after whitespace) or the end comes first. */
    private static int findBeforeComment(String line, char c) {
        int comment = commentStart(line);
        int index = line.indexOf(c);
        return index >= 0 && index < comment ? index : -1;
    }

    /** inih: a ';' that follows whitespace starts a comment inside a line. */
    private static String stripInlineComment(String value) {
        return value.substring(0, commentStart(value)).strip();
    }

    private static int commentStart(String text) {
        for (int i = 1; i < text.length(); i++) {
            if (text.charAt(i) == ';' && Character.isWhitespace(text.charAt(i - 1))) {
                return i;
            }
        }
        return text.length();
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
     * {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 address;
     * port defaults to 5003. Host names are resolved now.
     */
    public static InetSocketAddress parseAddress(String text) {
        HostPort split = HostPort.parse(text);
        // HostPort also takes "[v6]" without a port; the reference's parse_address() (src/server/helper.c) does not.
        if (text.strip().startsWith("[") && !split.hasPort()) {
            throw new IllegalArgumentException("address " + quote(text)
                    + " has brackets but no port; write it without brackets or as [address]:port");
        }
        if (split.port() == 0) {
            throw new IllegalArgumentException("address " + quote(text) + " has a bad port '0'");
        }
        if (split.host().isEmpty()) {
            throw new IllegalArgumentException("address " + quote(text) + " has no host");
        }
        int port = split.hasPort() ? split.port() : Dnbd3Protocol.DEFAULT_PORT;
        try {
            return new InetSocketAddress(InetAddress.getByName(split.host()), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host " + quote(split.host()));
        } catch (SecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad address " + quote(text));
        }
    }
}
