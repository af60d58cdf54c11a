package org.openslx.netboot.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Serves one accepted connection of one protocol until it ends. */
@FunctionalInterface
public interface ConnectionHandler {

    /**
     * @param channel the connection, in blocking mode; the handler closes it when done
     * @param head bytes already read from the connection to tell the protocol apart (flipped,
     *     ready to be consumed first); the handler must treat them as the start of the stream
     */
    void serve(SocketChannel channel, ByteBuffer head) throws IOException;
}
