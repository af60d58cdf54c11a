package org.openslx.netboot.dnbd3.server;

import java.util.List;
import java.util.Set;
import org.openslx.netboot.util.JsonWriter;

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
        JsonWriter json = new JsonWriter().beginObject().field("runId", runId);
        if (sections.contains("stats")) {
            long servers = stats.clients().stream().filter(Dnbd3Stats.Client::isServer).count();
            json.field("bytesReceived", 0)
                    .field("bytesSent", stats.bytesSent())
                    .field("uptime", stats.uptime().toSeconds())
                    .field("clientCount", stats.clients().size() - servers)
                    .field("serverCount", servers);
        }
        if (sections.contains("clients")) {
            json.name("clients").beginArray();
            for (Dnbd3Stats.Client c : stats.clients()) {
                json.beginObject().field("address", c.address())
                        .field("image", c.image())
                        .field("rid", c.rid())
                        .field("isServer", c.isServer())
                        .field("bytesSent", c.bytesSent())
                        .field("connectedSince", c.since().toString())
                        .endObject();
            }
            json.endArray();
        }
        if (sections.contains("images")) {
            json.name("images").beginArray();
            for (Dnbd3Stats.ImageInfo i : stats.images()) {
                json.beginObject().field("name", i.name())
                        .field("rid", i.rid())
                        .field("size", i.size())
                        .field("users", i.users())
                        .field("complete", 100)
                        .field("hasCrc", i.hasCrcList())
                        .endObject();
            }
            json.endArray();
        }
        if (sections.contains("altservers")) {
            json.name("altservers").beginArray();
            for (AltServer a : altServers) {
                json.beginObject().field("host", ClientRegistry.address(a.address()))
                        .field("comment", a.comment())
                        .field("isPrivate", a.replicationOnly())
                        .field("isClientOnly", a.clientOnly())
                        .name("namespaces").beginArray();
                for (String ns : a.namespaces()) {
                    json.value(ns);
                }
                json.endArray().endObject();
            }
            json.endArray();
        }
        return json.endObject().toString();
    }
}
