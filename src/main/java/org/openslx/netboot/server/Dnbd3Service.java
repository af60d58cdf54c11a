package org.openslx.netboot.server;

import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.openslx.netboot.net.ConnectionHandler;
import org.openslx.netboot.net.http.HttpHandler;

/**
 * The dnbd3 part of {@code slx server}, as the rest of it sees it: a handler for the connections
 * whose first byte says dnbd3, and what the status page shows about them.
 */
public interface Dnbd3Service extends Closeable {

    /** Serves dnbd3 connections; null when this server offers no dnbd3. */
    ConnectionHandler connections();

    /**
     * The reference dnbd3 server's own status over HTTP ({@code /query?q=stats&q=images&q=clients}),
     * for tools written against it; null when not offered.
     */
    HttpHandler referenceStatus();

    /** The clients connected now. */
    List<Client> clients();

    /** Image payload bytes sent to all clients since the start. */
    long bytesSent();

    @Override
    void close();

    /** Makes the dnbd3 part for a data folder when the server starts. */
    @FunctionalInterface
    interface Factory {
        Dnbd3Service create(DataFolder folder) throws IOException;
    }

    /**
     * One connected client.
     *
     * @param address "ip:port" of the peer
     * @param image the selected image's name
     * @param rid its revision
     * @param bytesSent payload bytes sent to this client
     * @param since when it selected the image
     */
    record Client(String address, String image, int rid, long bytesSent, Instant since) {
    }

    /** No dnbd3 at all: only HTTP is served. */
    static Dnbd3Service none() {
        return new Dnbd3Service() {
            @Override
            public ConnectionHandler connections() {
                return null;
            }

            @Override
            public HttpHandler referenceStatus() {
                return null;
            }

            @Override
            public List<Client> clients() {
                return List.of();
            }

            @Override
            public long bytesSent() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
    }
}
