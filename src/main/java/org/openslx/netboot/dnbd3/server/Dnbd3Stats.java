package org.openslx.netboot.dnbd3.server;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of a dnbd3 server's state for status pages.
 *
 * @param started when the server started
 * @param uptime time since then
 * @param bytesSent GET_BLOCK bytes sent to all clients, past and present
 * @param clients connected clients that completed the handshake
 * @param images loaded images
 */
public record Dnbd3Stats(Instant started, Duration uptime, long bytesSent, List<Client> clients, List<ImageInfo> images) {

    public Dnbd3Stats {
        clients = List.copyOf(clients);
        images = List.copyOf(images);
    }

    /**
     * One connected client.
     *
     * @param address "ip:port" of the peer
     * @param image image name
     * @param rid image revision
     * @param bytesSent GET_BLOCK bytes sent on this connection
     * @param since when the handshake completed
     * @param isServer whether the peer announced itself as a dnbd3 server/proxy
     */
    public record Client(String address, String image, int rid, long bytesSent, Instant since, boolean isServer) {
    }

    /**
     * One loaded image.
     *
     * @param name public name
     * @param rid revision
     * @param size virtual size (bytes)
     * @param users connected clients using it
     * @param hasCrcList whether a valid .crc list is served
     */
    public record ImageInfo(String name, int rid, long size, int users, boolean hasCrcList) {
    }
}
