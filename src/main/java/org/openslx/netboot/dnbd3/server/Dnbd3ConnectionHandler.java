package org.openslx.netboot.dnbd3.server;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import org.openslx.netboot.dnbd3.protocol.Command;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;
import org.openslx.netboot.dnbd3.protocol.LatestRidReply;
import org.openslx.netboot.dnbd3.protocol.ProtocolException;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.RequestHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageReply;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;
import org.openslx.netboot.dnbd3.protocol.ServerEntry;
import org.openslx.netboot.net.ConnectionHandler;
import org.openslx.netboot.net.ZeroCopy;

/**
 * Serves one dnbd3 client connection, as the reference server does: the first message must be a
 * SELECT_IMAGE for an image we have (anything else closes the connection, there is no error
 * reply), then requests are answered in order. GET_BLOCK past the end gets CMD_ERROR and the
 * connection stays; a non-GET_BLOCK request announcing more than 1000 payload bytes, a bad magic
 * or a truncated header closes it. Data goes out zero-copy ({@code transferTo}); bytes between the
 * file's end and the 4 KiB-rounded size are zeros. Replies to other commands carry the handle of
 * the connection's last GET_BLOCK (0 before the first), because the reference reuses one reply
 * struct per connection; payload bytes announced by other commands are not skipped but read as the
 * next header, and SET_CLIENT_MODE and unknown commands get no reply, all as the reference does
 * (observed against its net.c, see {@code Dnbd3ReferenceBehaviourTest}). One deliberate
 * difference: LATEST_RID is answered with the newest revision (issue 3 asks for it; the reference
 * leaves it unanswered, so clients written for the reference never wait for the reply).
 *
 * <p>Obtain one from {@link Dnbd3Server#handler()}; one instance serves all connections.
 */
public final class Dnbd3ConnectionHandler implements ConnectionHandler {
    private static final System.Logger LOG = System.getLogger(Dnbd3ConnectionHandler.class.getName());

    /** Blocks up to this size are copied and sent with their header in one write (one TCP segment). */
    private static final int SMALL_BLOCK = 16 * 1024;
    private static final int MIN_SEND_BUFFER = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final ImageStore store;
    private final AltServers altServers;
    private final ClientRegistry clients;
    private final WriteWatchdog watchdog;
    private final ConnectionThreads threads;
    private final int clientTimeoutMillis;
    private final int idleTimeoutMillis;

    Dnbd3ConnectionHandler(ImageStore store, AltServers altServers, ClientRegistry clients, WriteWatchdog watchdog,
                           Duration clientTimeout, Duration idleTimeout, int platformThreads) {
        this.store = store;
        this.altServers = altServers;
        this.clients = clients;
        this.watchdog = watchdog;
        this.threads = new ConnectionThreads(platformThreads);
        this.clientTimeoutMillis = (int) clientTimeout.toMillis();
        this.idleTimeoutMillis = (int) idleTimeout.toMillis();
    }

    @Override
    public void serve(SocketChannel channel, ByteBuffer head) throws IOException {
        try (channel) {
            threads.run("dnbd3 " + channel.getRemoteAddress(), () -> {
                enlargeSendBuffer(channel);
                new Connection(channel, head).run();
            }, () -> closeQuietly(channel));
        }
    }

    /** Connections served on platform threads now (see {@link ConnectionThreads}). */
    int platformThreadsInUse() {
        return threads.platformInUse();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /**
     * At least 1 MiB of send buffer for the direction that carries image data, as the reference's
     * net_handleNewConnection() does (SERVER_TCP_BUFFER_MIN_SIZE_PAYLOAD; Linux reports twice the
     * size set, hence the halving).
     */
    private static void enlargeSendBuffer(SocketChannel channel) {
        try {
            if (channel.getOption(StandardSocketOptions.SO_SNDBUF) / 2 < MIN_SEND_BUFFER) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, MIN_SEND_BUFFER);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "could not enlarge the send buffer: " + e);
        }
    }

    /** The state of one connection. */
    private final class Connection {
        private final SocketChannel channel;
        private final InetSocketAddress remote;
        private final String who;
        private final RequestInput in;
        private final byte[] header = new byte[Dnbd3Protocol.REQUEST_SIZE];
        private final byte[] payload = new byte[Dnbd3Protocol.MAX_PAYLOAD];
        private ByteBuffer smallBlock;
        private Image image;
        private ClientRegistry.Session session;
        private WriteWatchdog.Progress progress;
        /** The handle the reference's reused reply struct still holds: the last GET_BLOCK's. */
        private long lastBlockHandle;

        Connection(SocketChannel channel, ByteBuffer head) throws IOException {
            this.channel = channel;
            this.remote = (InetSocketAddress) channel.getRemoteAddress();
            this.who = ClientRegistry.address(remote);
            this.in = new RequestInput(channel, head);
        }

        void run() throws IOException {
            progress = watchdog.watch(channel, who);
            try {
                if (handshake()) {
                    serveRequests();
                }
            } catch (ProtocolException | EOFException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + ": " + e.getMessage() + "; disconnected");
            } catch (SocketTimeoutException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " idle for too long; disconnected");
            } catch (ClosedChannelException e) {
                // Shut down, or the watchdog closed it.
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "internal error while serving client " + who
                        + "; disconnected it: " + e, e);
            } finally {
                watchdog.unwatch(progress);
                if (session != null) {
                    clients.close(session);
                    LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " left image " + image
                            + " after " + session.bytesSent.get() + " bytes");
                }
                if (image != null) {
                    image.release();
                }
            }
        }

        /** SELECT_IMAGE and its reply; false means the connection just closes. */
        private boolean handshake() throws IOException {
            if (!in.readFully(header, header.length, clientTimeoutMillis, clientTimeoutMillis, "the handshake header")) {
                return false;
            }
            RequestHeader request = RequestHeader.decode(ByteBuffer.wrap(header));
            if (!request.is(Command.SELECT_IMAGE)) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " began with " + request + " instead of SELECT_IMAGE; closing");
                return false;
            }
            if (request.size() < 3 || request.size() > Dnbd3Protocol.MAX_PAYLOAD) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " sent a SELECT_IMAGE of " + request.size()
                        + " bytes (allowed: 3 to " + Dnbd3Protocol.MAX_PAYLOAD + "); closing");
                return false;
            }
            int size = (int) request.size();
            if (!in.readFully(payload, size, clientTimeoutMillis, clientTimeoutMillis, "the SELECT_IMAGE payload")) {
                return false;
            }
            SelectImageRequest select = SelectImageRequest.decodePayload(ByteBuffer.wrap(payload, 0, size));
            if (select.protocolVersion() < Dnbd3Protocol.MIN_SUPPORTED_CLIENT) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " speaks protocol version "
                        + select.protocolVersion() + ", too old; closing");
                return false;
            }
            String problem = ImageName.problem(select.name());
            if (problem != null) {
                // DEBUG, not INFO: a hostile client could otherwise flood the log.
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " asked for image "
                        + ImageName.forLog(select.name()) + ": refused, " + problem);
                return false;
            }
            Optional<Image> found = store.acquire(select.name(), select.rid());
            if (found.isEmpty()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " asked for image "
                        + ImageName.forLog(select.name()) + " revision " + select.rid() + ", which is not here; closing");
                return false;
            }
            image = found.get();
            int version = Math.min(select.protocolVersion(), Dnbd3Protocol.PROTOCOL_VERSION);
            // Handle 0 whatever the request carried, as the reference (src/server/net.c zeroes its reply
            // struct and sets no handle before the SELECT_IMAGE reply; old clients sent stack garbage there).
            // Registered before the reply, so a client that has its reply is always in the status
            // (a virtual thread may be descheduled right after sending); run() closes it on failure.
            session = clients.open(remote, image, (select.flags() & Dnbd3Protocol.FLAGS8_SERVER) != 0);
            sendMessage(new SelectImageReply(version, image.name(), image.rid(), image.virtualSize()).encode(0));
            LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " uses image " + image);
            return true;
        }

        private void serveRequests() throws IOException {
            while (in.readFully(header, header.length, idleTimeoutMillis, clientTimeoutMillis, "a request header")) {
                RequestHeader request = RequestHeader.decode(ByteBuffer.wrap(header));
                if (request.is(Command.GET_BLOCK)) {
                    getBlock(request);
                    continue;
                }
                if (request.size() > Dnbd3Protocol.MAX_PAYLOAD) {
                    throw new ProtocolException(request + " announces more than " + Dnbd3Protocol.MAX_PAYLOAD
                            + " payload bytes");
                }
                // No payload is read: like the reference, bytes a client sends after a non-GET_BLOCK
                // header are taken as the next header (and a bad magic there closes the connection).
                Optional<Command> command = request.knownCommand();
                if (command.isEmpty()) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " sent unknown " + request + "; ignored");
                    continue;
                }
                switch (command.get()) {
                    case KEEPALIVE -> reply(Command.KEEPALIVE, lastBlockHandle, null);
                    case GET_SERVERS -> reply(Command.GET_SERVERS, lastBlockHandle,
                            ServerEntry.encodeList(altServers.forClient(remote.getAddress(), image.name())));
                    case GET_CRC32 -> reply(Command.GET_CRC32, lastBlockHandle,
                            image.crcList().map(CrcList::encode).orElse(null));
                    case LATEST_RID -> reply(Command.LATEST_RID, lastBlockHandle,
                            new LatestRidReply(store.latestRid(image.name()).orElse(image.rid())).encodePayload());
                    case SET_CLIENT_MODE -> session.isServer = false;
                    default -> LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " sent " + request
                            + " after the handshake; ignored");
                }
            }
        }

        private void getBlock(RequestHeader request) throws IOException {
            long offset = request.offset();
            long size = request.size();
            long virtualSize = image.virtualSize();
            lastBlockHandle = request.handle();
            if (offset >= virtualSize || offset + size > virtualSize) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client " + who + " asked for " + size + " bytes at "
                        + offset + ", beyond the end of " + image + " (" + virtualSize + " bytes); sent ERROR");
                reply(Command.ERROR, request.handle(), null);
                return;
            }
            long fileBytes = Math.max(0, Math.min(size, image.realSize() - offset));
            ReplyHeader reply = ReplyHeader.of(Command.GET_BLOCK, size, request.handle());
            progress.writing();
            try {
                if (size <= SMALL_BLOCK) {
                    sendSmallBlock(reply, offset, (int) fileBytes, (int) size);
                } else {
                    send(reply.encode());
                    transferFromFile(offset, fileBytes);
                    sendZeros(size - fileBytes);
                }
            } finally {
                progress.idle();
            }
            session.sent(size);
        }

        /** Header and data in one buffer, one write. */
        private void sendSmallBlock(ReplyHeader reply, long offset, int fileBytes, int size) throws IOException {
            if (smallBlock == null) {
                smallBlock = ByteBuffer.allocateDirect(Dnbd3Protocol.REPLY_SIZE + SMALL_BLOCK);
            }
            ByteBuffer buffer = smallBlock.clear();
            reply.encode(buffer);
            buffer.limit(Dnbd3Protocol.REPLY_SIZE + fileBytes);
            while (buffer.hasRemaining()) {
                int n = image.channel().read(buffer, offset + buffer.position() - Dnbd3Protocol.REPLY_SIZE);
                if (n < 0) {
                    throw new EOFException("image " + image.file() + " ended at byte " + (offset + buffer.position()
                            - Dnbd3Protocol.REPLY_SIZE) + " though it had " + image.realSize() + " (shrunk on disk?)");
                }
            }
            buffer.limit(Dnbd3Protocol.REPLY_SIZE + size);
            while (buffer.hasRemaining()) {
                buffer.put((byte) 0);
            }
            send(buffer.flip());
        }

        private void transferFromFile(long offset, long count) throws IOException {
            try {
                ZeroCopy.send(image.channel(), offset, count, channel, sent -> progress.writing());
            } catch (EOFException e) {
                throw new EOFException("image " + image.file() + ": " + e.getMessage() + " though it had "
                        + image.realSize() + " bytes (shrunk on disk?)");
            }
        }

        private void sendZeros(long count) throws IOException {
            long left = count;
            while (left > 0) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(left, zeros.capacity()));
                left -= zeros.remaining();
                send(zeros);
            }
        }

        private void reply(Command command, long handle, ByteBuffer body) throws IOException {
            int size = body == null ? 0 : body.remaining();
            ByteBuffer message = ByteBuffer.allocate(Dnbd3Protocol.REPLY_SIZE + size);
            ReplyHeader.of(command, size, handle).encode(message);
            if (body != null) {
                message.put(body);
            }
            sendMessage(message.flip());
        }

        /** One whole message, watched for stalls. */
        private void sendMessage(ByteBuffer message) throws IOException {
            progress.writing();
            try {
                send(message);
            } finally {
                progress.idle();
            }
        }

        /** Part of a message; the caller has told the watchdog that it is writing. */
        private void send(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
                progress.writing();
            }
        }
    }
}
