package org.openslx.netboot.dnbd3.server;

import java.util.List;
import java.util.Set;

/**
 * The status as JSON, shaped like the reference's {@code /query} answer: one object with
 * {@code runId} and, per requested section, {@code stats} → bytesSent, bytesReceived (always 0:
 * no proxy mode), uptime (seconds), clientCount, serverCount; {@code clients} → clients[];
 * {@code images} → images[]; {@code altservers} → altservers[].
 */
public final class StatusJson {
    /** Sections {@code /query?q=...} knows. */
    public static final Set<String> SECTIONS = Set.of("stats", "clients", "images", "altservers");

    private StatusJson() {
    }

    public static String render(Dnbd3Stats stats, List<AltServer> altServers, long runId, Set<String> sections) {
        StringBuilder json = new StringBuilder("{\"runId\":").append(runId);
        if (sections.contains("stats")) {
            long servers = stats.clients().stream().filter(Dnbd3Stats.Client::isServer).count();
            json.append(",\"bytesReceived\":0")
                    .append(",\"bytesSent\":").append(stats.bytesSent())
                    .append(",\"uptime\":").append(stats.uptime().toSeconds())
                    .append(",\"clientCount\":").append(stats.clients().size() - servers)
                    .append(",\"serverCount\":").append(servers);
        }
        if (sections.contains("clients")) {
            json.append(",\"clients\":[");
            String separator = "";
            for (Dnbd3Stats.Client c : stats.clients()) {
                json.append(separator).append("{\"address\":").append(string(c.address()))
                        .append(",\"image\":").append(string(c.image()))
                        .append(",\"rid\":").append(c.rid())
                        .append(",\"isServer\":").append(c.isServer())
                        .append(",\"bytesSent\":").append(c.bytesSent())
                        .append(",\"connectedSince\":").append(string(c.since().toString()))
                        .append('}');
                separator = ",";
            }
            json.append(']');
        }
        if (sections.contains("images")) {
            json.append(",\"images\":[");
            String separator = "";
            for (Dnbd3Stats.ImageInfo i : stats.images()) {
                json.append(separator).append("{\"name\":").append(string(i.name()))
                        .append(",\"rid\":").append(i.rid())
                        .append(",\"size\":").append(i.size())
                        .append(",\"users\":").append(i.users())
                        .append(",\"complete\":100")
                        .append(",\"hasCrc\":").append(i.hasCrcList())
                        .append('}');
                separator = ",";
            }
            json.append(']');
        }
        if (sections.contains("altservers")) {
            json.append(",\"altservers\":[");
            String separator = "";
            for (AltServer a : altServers) {
                json.append(separator).append("{\"host\":")
                        .append(string(ClientRegistry.address(a.address())))
                        .append(",\"comment\":").append(string(a.comment()))
                        .append(",\"isPrivate\":").append(a.replicationOnly())
                        .append(",\"isClientOnly\":").append(a.clientOnly())
                        .append(",\"namespaces\":[");
                String inner = "";
                for (String ns : a.namespaces()) {
                    json.append(inner).append(string(ns));
                    inner = ",";
                }
                json.append("]}");
                separator = ",";
            }
            json.append(']');
        }
        return json.append('}').toString();
    }

    /** A JSON string literal. */
    static String string(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
