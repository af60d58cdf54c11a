package org.openslx.netboot.dnbd3.server;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.openslx.netboot.dnbd3.protocol.Command;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.RequestHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageReply;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;

/** A dnbd3 client on a plain java.net.Socket that can send anything, well-formed or not. */
final class RawClient implements Closeable {
    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawClient(InetSocketAddress server) throws IOException {
        socket = new Socket();
        socket.connect(server, 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    RawClient send(ByteBuffer buffer) throws IOException {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return send(bytes);
    }

    RawClient request(RequestHeader header) throws IOException {
        return send(header.encode());
    }

    ReplyHeader reply() throws IOException {
        byte[] header = new byte[16];
        in.readFully(header);
        return ReplyHeader.decode(ByteBuffer.wrap(header));
    }

    byte[] bytes(long n) throws IOException {
        byte[] data = new byte[Math.toIntExact(n)];
        in.readFully(data);
        return data;
    }

    SelectImageReply select(String name, int rid) throws IOException {
        send(SelectImageRequest.of(name, rid).encode());
        ReplyHeader header = reply();
        if (!header.is(Command.SELECT_IMAGE)) {
            throw new IOException("expected a SELECT_IMAGE reply, got " + header);
        }
        return SelectImageReply.decodePayload(ByteBuffer.wrap(bytes(header.size())));
    }

    byte[] getBlock(long offset, long size, long handle) throws IOException {
        request(RequestHeader.getBlock(offset, size, handle));
        ReplyHeader header = reply();
        if (!header.is(Command.GET_BLOCK) || header.handle() != handle || header.size() != size) {
            throw new IOException("unexpected reply " + header + " to GET_BLOCK " + offset + "+" + size);
        }
        return bytes(size);
    }

    /** Whether the server closed the connection (EOF or reset) without sending anything more. */
    boolean closedByServer() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new IOException("expected the server to close, but it sent byte " + b);
            }
            return true;
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
