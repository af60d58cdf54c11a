package org.openslx.netboot.dnbd3.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openslx.netboot.dnbd3.protocol.Command;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.RequestHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageReply;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;
import org.openslx.netboot.dnbd3.protocol.ServerEntry;

/**
 * TEST DOUBLE: a minimal dnbd3 server that a test can kill, freeze (it stops answering while
 * connections stay open, like a SIGSTOPped process), slow down, or make deliver corrupt data.
 * The real server (package dnbd3.server) cannot be frozen or corrupted on demand, which the
 * failover and integrity proofs need; {@code Dnbd3ClientAgainstRealServerTest} runs the client
 * against the real one. It follows the reference server's rules: SELECT_IMAGE first, a closed
 * connection for an unknown image or revision, ERROR for a GET_BLOCK past the end, replies in
 * request order.
 */
final class FakeDnbd3Server implements AutoCloseable {
    private final String name;
    private final int rid;
    private final byte[] image;
    private final ServerSocketChannel listener;
    private final int port;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final Object freezeLock = new Object();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicInteger keepalives = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean frozen;
    private volatile boolean killed;
    private volatile long killAfterBytes = Long.MAX_VALUE;
    private volatile long freezeAfterBytes = Long.MAX_VALUE;
    private volatile Duration replyDelay = Duration.ZERO;
    private volatile Duration handshakeDelay = Duration.ZERO;
    private volatile CrcList crcList;
    private volatile List<ServerEntry> altServers = List.of();
    private volatile long corruptFrom = -1;
    private volatile long corruptTo = -1;

    /** A server of one image; its size must be a multiple of 4096 (the virtual size). */
    FakeDnbd3Server(String name, int rid, byte[] image) throws IOException {
        this(name, rid, image, 0);
    }

    /** The same on a given port (0 = any), e.g. to bring a killed server back. */
    FakeDnbd3Server(String name, int rid, byte[] image, int port) throws IOException {
        if (image.length % Dnbd3Protocol.BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("image size must be a multiple of 4096");
        }
        this.name = name;
        this.rid = rid;
        this.image = image;
        this.listener = ServerSocketChannel.open().setOption(StandardSocketOptions.SO_REUSEADDR, true)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        this.port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        Thread.ofVirtual().name("fake-dnbd3-accept").start(this::acceptLoop);
    }

    int port() {
        return port;
    }

    String hostPort() {
        return "127.0.0.1:" + port();
    }

    ServerAddress address() {
        return new ServerAddress("127.0.0.1", port());
    }

    ServerEntry entry() {
        return new ServerEntry(InetAddress.getLoopbackAddress(), port(), 0);
    }

    FakeDnbd3Server withCrcList(CrcList list) {
        this.crcList = list;
        return this;
    }

    FakeDnbd3Server advertising(List<ServerEntry> servers) {
        this.altServers = List.copyOf(servers);
        return this;
    }

    /** Serves bytes {@code [from, to)} with every byte inverted. */
    FakeDnbd3Server corrupting(long from, long to) {
        this.corruptFrom = from;
        this.corruptTo = to;
        return this;
    }

    /** Answers SELECT_IMAGE only after {@code delay}, like a server (or network) under heavy load. */
    FakeDnbd3Server withHandshakeDelay(Duration delay) {
        this.handshakeDelay = delay;
        return this;
    }

    void setReplyDelay(Duration delay) {
        this.replyDelay = delay;
    }

    /** Kills the server (listener and all connections closed) once it has sent this many block bytes. */
    void killAfterBytes(long bytes) {
        this.killAfterBytes = bytes;
        checkTriggers();
    }

    /** Freezes the server once it has sent this many block bytes. */
    void freezeAfterBytes(long bytes) {
        this.freezeAfterBytes = bytes;
        checkTriggers();
    }

    /** Stops answering anything (handshakes included); connections stay open. */
    void freeze() {
        frozen = true;
    }

    void thaw() {
        synchronized (freezeLock) {
            frozen = false;
            freezeLock.notifyAll();
        }
    }

    boolean isKilled() {
        return killed;
    }

    long bytesServed() {
        return bytesServed.get();
    }

    int keepalivesReceived() {
        return keepalives.get();
    }

    int connectionsAccepted() {
        return connections.get();
    }

    /** Like a crashed process: the port refuses, open connections are reset. */
    void kill() {
        killed = true;
        thaw();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (SocketChannel client : clients) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    private void acceptLoop() {
        while (!killed) {
            try {
                SocketChannel client = listener.accept();
                connections.incrementAndGet();
                clients.add(client);
                if (killed) {
                    client.close();
                    return;
                }
                Thread.ofVirtual().name("fake-dnbd3-client").start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            RequestHeader first = readRequest(client);
            if (!first.is(Command.SELECT_IMAGE) || first.size() > Dnbd3Protocol.MAX_PAYLOAD) {
                return;
            }
            SelectImageRequest select = SelectImageRequest.decodePayload(readBytes(client, (int) first.size()));
            waitWhileFrozen();
            if (!select.name().equals(name) || select.rid() != 0 && select.rid() != rid) {
                return; // the reference server's refusal: just close
            }
            sleep(handshakeDelay);
            write(client, new SelectImageReply(Dnbd3Protocol.PROTOCOL_VERSION, name, rid, image.length).encode(0));
            long lastHandle = 0;
            while (!killed) {
                RequestHeader request = readRequest(client);
                waitWhileFrozen();
                if (killed) {
                    return;
                }
                sleep(replyDelay);
                Command command = request.knownCommand().orElse(null);
                if (command == null) {
                    continue;
                }
                switch (command) {
                    case GET_BLOCK -> {
                        lastHandle = request.handle();
                        serveBlock(client, request);
                    }
                    case KEEPALIVE -> {
                        keepalives.incrementAndGet();
                        write(client, ReplyHeader.of(Command.KEEPALIVE, 0, lastHandle).encode());
                    }
                    case GET_CRC32 -> {
                        CrcList list = crcList;
                        ByteBuffer payload = list == null ? ByteBuffer.allocate(0) : list.encode();
                        write(client, ReplyHeader.of(Command.GET_CRC32, payload.remaining(), lastHandle).encode());
                        write(client, payload);
                    }
                    case GET_SERVERS -> {
                        ByteBuffer payload = ServerEntry.encodeList(altServers);
                        write(client, ReplyHeader.of(Command.GET_SERVERS, payload.remaining(), lastHandle).encode());
                        write(client, payload);
                    }
                    default -> {
                        // SET_CLIENT_MODE, LATEST_RID and others: no reply, as the reference
                    }
                }
            }
        } catch (IOException e) {
            // the client went away, or we were killed
        } finally {
            clients.remove(client);
        }
    }

    private void serveBlock(SocketChannel client, RequestHeader request) throws IOException {
        long offset = request.offset();
        long size = request.size();
        if (offset >= image.length || offset + size > image.length) {
            write(client, ReplyHeader.error(request.handle()).encode());
            return;
        }
        write(client, ReplyHeader.of(Command.GET_BLOCK, size, request.handle()).encode());
        // Send in 64 KiB steps so that a kill or freeze can hit in the middle of a reply.
        long position = offset;
        long end = offset + size;
        while (position < end) {
            int step = (int) Math.min(64 << 10, end - position);
            byte[] chunk = java.util.Arrays.copyOfRange(image, (int) position, (int) position + step);
            for (int i = 0; i < step; i++) {
                long at = position + i;
                if (at >= corruptFrom && at < corruptTo) {
                    chunk[i] = (byte) ~chunk[i];
                }
            }
            write(client, ByteBuffer.wrap(chunk));
            position += step;
            bytesServed.addAndGet(step);
            checkTriggers();
            waitWhileFrozen();
            if (killed) {
                throw new EOFException("killed");
            }
        }
    }

    private void checkTriggers() {
        long served = bytesServed.get();
        if (served >= freezeAfterBytes) {
            freezeAfterBytes = Long.MAX_VALUE;
            freeze();
        }
        if (served >= killAfterBytes) {
            killAfterBytes = Long.MAX_VALUE;
            kill();
        }
    }

    private void waitWhileFrozen() {
        synchronized (freezeLock) {
            while (frozen && !killed) {
                try {
                    freezeLock.wait();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void sleep(Duration delay) {
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RequestHeader readRequest(SocketChannel client) throws IOException {
        return RequestHeader.decode(readBytes(client, Dnbd3Protocol.REQUEST_SIZE));
    }

    private static ByteBuffer readBytes(SocketChannel client, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (client.read(buffer) < 0) {
                throw new EOFException();
            }
        }
        return buffer.flip();
    }

    private static void write(SocketChannel client, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            client.write(buffer);
        }
    }

    /** The CRC list of an image as the reference computes it (16 MiB blocks, last one short). */
    static CrcList crcListOf(byte[] image) {
        int blocks = Dnbd3Protocol.hashBlockCount(image.length);
        int[] crcs = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            int from = i * Dnbd3Protocol.HASH_BLOCK_SIZE;
            int to = Math.min(image.length, from + Dnbd3Protocol.HASH_BLOCK_SIZE);
            crcs[i] = CrcList.crcOf(ByteBuffer.wrap(image, from, to - from));
        }
        return new CrcList(crcs);
    }

    static List<ServerEntry> entries(FakeDnbd3Server... servers) {
        List<ServerEntry> list = new ArrayList<>();
        for (FakeDnbd3Server server : servers) {
            list.add(server.entry());
        }
        return list;
    }
}
