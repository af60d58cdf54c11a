package org.openslx.netboot.dnbd3.server;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One entry of the alt-servers file.
 *
 * @param address the server (resolved)
 * @param comment free text, may be empty
 * @param clientOnly {@code for=client} / legacy prefix {@code +}: advertised to clients, never an uplink
 * @param replicationOnly {@code for=replication} / legacy prefix {@code -}: uplink only, never advertised
 * @param namespaces image-name prefixes this server is for; empty = all images
 */
public record AltServer(InetSocketAddress address, String comment, boolean clientOnly, boolean replicationOnly,
                        List<String> namespaces) {

    public AltServer {
        namespaces = List.copyOf(namespaces);
    }

    /** Whether clients of this image may be told about this server. */
    public boolean advertisedFor(String imageName) {
        return !replicationOnly && (namespaces.isEmpty() || namespaces.stream().anyMatch(imageName::startsWith));
    }
}
