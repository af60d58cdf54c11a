package org.openslx.netboot.server;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.openslx.netboot.dnbd3.protocol.Command;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.RequestHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageReply;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;

/** A minimal dnbd3 client on a plain socket: SELECT_IMAGE, then GET_BLOCKs, one at a time. */
final class Dnbd3Reader implements Closeable {
    private final Socket socket = new Socket();
    private final DataInputStream in;
    private final OutputStream out;
    private final SelectImageReply selected;
    private long handle = 1;

    Dnbd3Reader(InetSocketAddress server, String name, int rid) throws IOException {
        socket.connect(server, 5000);
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        send(SelectImageRequest.of(name, rid).encode());
        ReplyHeader reply = header();
        if (!reply.is(Command.SELECT_IMAGE)) {
            throw new IOException("SELECT_IMAGE answered with " + reply);
        }
        selected = SelectImageReply.decodePayload(ByteBuffer.wrap(bytes(reply.size())));
    }

    int localPort() {
        return socket.getLocalPort();
    }

    SelectImageReply selected() {
        return selected;
    }

    byte[] read(long offset, int size) throws IOException {
        long h = handle++;
        send(RequestHeader.getBlock(offset, size, h).encode());
        ReplyHeader reply = header();
        if (!reply.is(Command.GET_BLOCK) || reply.handle() != h || reply.size() != size) {
            throw new IOException("GET_BLOCK " + offset + "+" + size + " answered with " + reply);
        }
        return bytes(size);
    }

    private void send(ByteBuffer message) throws IOException {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        out.write(bytes);
        out.flush();
    }

    private ReplyHeader header() throws IOException {
        return ReplyHeader.decode(ByteBuffer.wrap(bytes(16)));
    }

    private byte[] bytes(long n) throws IOException {
        byte[] data = new byte[Math.toIntExact(n)];
        in.readFully(data);
        return data;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
