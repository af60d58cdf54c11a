package org.openslx.netboot.dnbd3.client;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.openslx.netboot.dnbd3.protocol.Command;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;
import org.openslx.netboot.dnbd3.protocol.ProtocolException;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.RequestHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageReply;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;
import org.openslx.netboot.dnbd3.protocol.ServerEntry;

/**
 * One TCP connection to one dnbd3 server, in two phases.
 *
 * <p>First, synchronous and with a timeout on every step: connect, SELECT_IMAGE, and optionally
 * GET_CRC32, GET_SERVERS and a probe GET_BLOCK. Then, after {@link #start}, asynchronous: callers
 * {@link #send} GET_BLOCKs (pipelined, any number in flight) and one receive thread matches the
 * replies by handle in the {@link RequestTable} and reads each payload straight into its
 * caller's buffer. The receive thread never fails a request; when the connection breaks it tells
 * the {@link Listener}, and the requests stay pending for the next server.
 */
final class Connection implements Closeable {

    /** What the receive thread reports. */
    interface Listener {
        /** The connection is unusable; {@code reason} is a sentence fragment for the log. */
        void lost(Connection connection, String reason);

        /** {@code bytes} of block data arrived (for statistics). */
        void received(long bytes);

        /**
         * A GET_BLOCK reply was received whole: {@code waitNanos} from sending the request to its
         * reply header, {@code transferNanos} from the header to the last byte.
         */
        default void replied(long waitNanos, long transferNanos) {
        }
    }

    /** Largest CRC list accepted: one u32 per 16 MiB, so 4 MiB covers a 16 TiB image. */
    private static final int MAX_CRC_LIST_BYTES = 4 << 20;
    /** Largest payload accepted for a reply we did not ask for in the receive loop. */
    private static final int MAX_UNEXPECTED_PAYLOAD = 1 << 20;

    private final ServerAddress server;
    private final SocketChannel channel;
    private final SelectImageReply image;
    private final Object sendLock = new Object();
    /** Request headers go out in batches of up to this many, one write each. */
    private static final int HEADERS_PER_WRITE = 64;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(HEADERS_PER_WRITE * Dnbd3Protocol.REQUEST_SIZE);
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile boolean closing;
    private Thread receiver;

    private Connection(ServerAddress server, SocketChannel channel, SelectImageReply image) {
        this.server = server;
        this.channel = channel;
        this.image = image;
    }

    /**
     * Connects and selects the image: {@code rid} 0 asks for the server's latest revision.
     *
     * @throws ImageRefusedException if the server closes the connection after SELECT_IMAGE
     * @throws IOException if the server cannot be reached or does not answer within the timeout
     */
    static Connection open(ServerAddress server, String imageName, int rid, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            try {
                channel.socket().connect(server.resolve(), timeoutMillis);
            } catch (UnresolvedAddressException e) {
                throw new IOException("cannot resolve host name '" + server.host() + "'");
            } catch (SocketTimeoutException e) {
                throw new IOException("no TCP connection within " + seconds(timeout));
            }
            channel.socket().setSoTimeout(timeoutMillis);
            writeFully(channel, SelectImageRequest.of(imageName, rid).encode());
            ReplyHeader header;
            try {
                header = readHeader(channel, timeout);
            } catch (EOFException e) {
                throw new ImageRefusedException("closed the connection after SELECT_IMAGE: it does not offer '"
                        + imageName + "'" + (rid == 0 ? "" : " revision " + rid));
            }
            if (!header.is(Command.SELECT_IMAGE) || header.size() < 3 || header.size() > Dnbd3Protocol.MAX_PAYLOAD) {
                throw new ProtocolException("answered SELECT_IMAGE with " + header);
            }
            SelectImageReply reply = SelectImageReply.decodePayload(readPayload(channel, (int) header.size(), timeout));
            String problem = reply.usableProblem();
            if (problem != null) {
                throw new ImageRefusedException(problem);
            }
            if (reply.imageSize() < Dnbd3Protocol.BLOCK_SIZE) {
                throw new ImageRefusedException("it reports an image size of " + reply.imageSize()
                        + " bytes, less than one 4 KiB block");
            }
            return new Connection(server, channel, reply);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    ServerAddress server() {
        return server;
    }

    /** The server's answer to SELECT_IMAGE. */
    SelectImageReply image() {
        return image;
    }

    /** Asks for the CRC list (before {@link #start}); null if the server has none. */
    CrcList fetchCrcList(Duration timeout) throws IOException {
        writeFully(channel, RequestHeader.of(Command.GET_CRC32, 0, 0).encode());
        ReplyHeader header = readHeader(channel, timeout);
        if (!header.is(Command.GET_CRC32) || header.size() > MAX_CRC_LIST_BYTES) {
            throw new ProtocolException("answered GET_CRC32 with " + header);
        }
        if (header.size() == 0) {
            return null;
        }
        return CrcList.decode(readPayload(channel, (int) header.size(), timeout));
    }

    /** Asks for the server's alternative servers (before {@link #start}). */
    List<ServerEntry> fetchServers(Duration timeout) throws IOException {
        writeFully(channel, RequestHeader.of(Command.GET_SERVERS, 0, 0).encode());
        ReplyHeader header = readHeader(channel, timeout);
        if (!header.is(Command.GET_SERVERS) || header.size() > Dnbd3Protocol.MAX_PAYLOAD) {
            throw new ProtocolException("answered GET_SERVERS with " + header);
        }
        return ServerEntry.decodeList(readPayload(channel, (int) header.size(), timeout));
    }

    /**
     * The reference clients' RTT probe (before {@link #start}): one GET_BLOCK of {@code length}
     * bytes at {@code offset}; returns the time from sending it to the last byte of the reply.
     */
    Duration probe(long offset, int length, Duration timeout) throws IOException {
        long start = System.nanoTime();
        writeFully(channel, RequestHeader.getBlock(offset, length, 0).encode());
        ReplyHeader header = readHeader(channel, timeout);
        if (header.is(Command.ERROR)) {
            throw new IOException("answered ERROR to a GET_BLOCK of " + length + " bytes at offset " + offset);
        }
        if (!header.is(Command.GET_BLOCK) || header.size() != length) {
            throw new ProtocolException("answered a GET_BLOCK of " + length + " bytes with " + header);
        }
        readPayload(channel, length, timeout);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Starts the receive thread; from now on use {@link #send} only. */
    synchronized void start(RequestTable table, Listener listener) {
        lastActivityNanos = System.nanoTime();
        receiver = Thread.ofPlatform().daemon().name("dnbd3-receive " + server)
                .start(() -> receiveLoop(table, listener));
    }

    /**
     * Sends GET_BLOCKs for all {@code reads}, their headers in as few writes as possible: a read
     * split into 16 requests costs one system call and one loopback packet instead of 16, and
     * the server finds them all at once. Thread-safe; any number may be in flight.
     */
    void send(List<PendingRead> reads) throws IOException {
        synchronized (sendLock) {
            for (int first = 0; first < reads.size(); first += HEADERS_PER_WRITE) {
                List<PendingRead> batch = reads.subList(first, Math.min(reads.size(), first + HEADERS_PER_WRITE));
                sendBuffer.clear();
                for (PendingRead read : batch) {
                    RequestHeader.getBlock(read.offset(), read.length(), read.handle()).encode(sendBuffer);
                }
                owe(batch.size());
                long now = System.nanoTime();
                for (PendingRead read : batch) {
                    read.sentAt(now);
                }
                writeFully(channel, sendBuffer.flip());
            }
        }
    }

    /** Sends a KEEPALIVE; its (empty) reply counts as a sign of life. */
    void sendKeepalive() throws IOException {
        synchronized (sendLock) {
            sendBuffer.clear();
            RequestHeader.of(Command.KEEPALIVE, 0, 0).encode(sendBuffer);
            owe(1);
            writeFully(channel, sendBuffer.flip());
        }
    }

    /** Counts {@code replies} more owed; the silence clock starts when the server goes from idle to busy. */
    private void owe(int replies) {
        if (inFlight.getAndAdd(replies) == 0) {
            lastActivityNanos = System.nanoTime();
        }
    }

    /** Replies still owed by the server (GET_BLOCKs and KEEPALIVEs). */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * How long the server has been silent while owing a reply, or {@link Duration#ZERO} if it owes
     * none: the time since the last received byte or since it went from idle to busy.
     */
    Duration silence(long nowNanos) {
        if (inFlight.get() <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, nowNanos - lastActivityNanos));
    }

    /**
     * Does not count {@code nanos} of the current silence: this process was not running then
     * ({@link StallGuard}), so the server cannot be blamed for it.
     */
    void excuseSilence(long nanos, long nowNanos) {
        lastActivityNanos = Math.min(nowNanos, lastActivityNanos + nanos);
    }

    private void receiveLoop(RequestTable table, Listener listener) {
        ByteBuffer header = ByteBuffer.allocateDirect(Dnbd3Protocol.REPLY_SIZE);
        try {
            while (!closing) {
                header.clear();
                readFully(header, listener, false);
                long headerNanos = System.nanoTime();
                ReplyHeader reply = ReplyHeader.decode(header.flip());
                if (reply.is(Command.GET_BLOCK)) {
                    receiveBlock(reply, table, listener, headerNanos);
                } else if (reply.is(Command.KEEPALIVE)) {
                    discard(reply.size(), listener);
                    inFlight.decrementAndGet();
                } else if (reply.is(Command.ERROR)) {
                    PendingRead read = table.get(reply.handle());
                    listener.lost(this, "current server answered ERROR to " + (read == null ? "a request" : read));
                    return;
                } else {
                    if (reply.size() > MAX_UNEXPECTED_PAYLOAD) {
                        listener.lost(this, "current server sent an unexpected " + reply);
                        return;
                    }
                    discard(reply.size(), listener);
                }
            }
        } catch (EOFException e) {
            if (!closing) {
                listener.lost(this, "current server closed the connection");
            }
        } catch (ProtocolException e) {
            if (!closing) {
                listener.lost(this, "current server sent invalid data (" + e.getMessage() + ")");
            }
        } catch (ClosedChannelException e) {
            if (!closing) {
                listener.lost(this, "the connection to the current server was closed");
            }
        } catch (IOException e) {
            if (!closing) {
                listener.lost(this, "the connection to the current server failed (" + e.getMessage() + ")");
            }
        }
    }

    private void receiveBlock(ReplyHeader reply, RequestTable table, Listener listener, long headerNanos)
            throws IOException {
        PendingRead read = table.get(reply.handle());
        if (read == null) {
            // Not ours (any more): skip the data, the stream stays in step.
            discard(reply.size(), listener);
            inFlight.decrementAndGet();
            return;
        }
        if (reply.size() != read.length()) {
            throw new ProtocolException("reply of " + reply.size() + " bytes to " + read);
        }
        readFully(read.freshTarget(), listener, true);
        listener.replied(headerNanos - read.sentNanos(), System.nanoTime() - headerNanos);
        table.complete(read, server);
        inFlight.decrementAndGet();
    }

    private void readFully(ByteBuffer dst, Listener listener, boolean blockData) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst);
            if (n < 0) {
                throw new EOFException();
            }
            lastActivityNanos = System.nanoTime();
            if (blockData) {
                listener.received(n);
            }
        }
    }

    private void discard(long size, Listener listener) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate((int) Math.min(size, 64 << 10));
        long left = size;
        while (left > 0) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), left));
            readFully(scratch, listener, false);
            left -= scratch.limit();
        }
    }

    /**
     * Closes the socket and waits for the receive thread to stop, so that nothing writes into a
     * caller's buffer once this returns (except when called from the receive thread itself).
     */
    @Override
    public void close() {
        closing = true;
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a socket does not fail in a way we could act on.
        }
        Thread thread;
        synchronized (this) {
            thread = receiver;
        }
        if (thread != null && thread != Thread.currentThread()) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean isClosing() {
        return closing;
    }

    @Override
    public String toString() {
        return "connection to " + server;
    }

    // --- synchronous helpers (handshake phase), with the socket's read timeout ---

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static ReplyHeader readHeader(SocketChannel channel, Duration timeout) throws IOException {
        return ReplyHeader.decode(readPayload(channel, Dnbd3Protocol.REPLY_SIZE, timeout));
    }

    private static ByteBuffer readPayload(SocketChannel channel, int length, Duration timeout) throws IOException {
        byte[] bytes = new byte[length];
        InputStream in = channel.socket().getInputStream();
        int done = 0;
        try {
            while (done < length) {
                int n = in.read(bytes, done, length - done);
                if (n < 0) {
                    throw new EOFException("closed the connection");
                }
                done += n;
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("did not answer within " + seconds(timeout));
        }
        return ByteBuffer.wrap(bytes);
    }

    static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toNanos() / 1e9);
    }
}
