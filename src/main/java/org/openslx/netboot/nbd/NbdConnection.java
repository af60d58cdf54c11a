package org.openslx.netboot.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One client from connect to disconnect: handshake, transmission, and one log line at each
 * end saying who it was and how it left. Whatever the client does, only this connection ends.
 */
final class NbdConnection implements Runnable {
    private static final System.Logger LOG = System.getLogger(NbdConnection.class.getName());

    private final SocketChannel channel;
    private final Export export;
    private final String peer;
    private final int slotCount;
    private final Consumer<NbdConnection> onFinish;
    private volatile String abortReason;

    NbdConnection(SocketChannel channel, Export export, String peer, int slotCount, Consumer<NbdConnection> onFinish) {
        this.channel = channel;
        this.export = export;
        this.peer = peer;
        this.slotCount = slotCount;
        this.onFinish = onFinish;
    }

    @Override
    public void run() {
        LOG.log(Level.INFO, "{0} connected", peer);
        Transmission transmission = null;
        String outcome;
        try {
            ChannelReader in = new ChannelReader(channel);
            Optional<Handshake.Negotiated> negotiated = new Handshake(in, channel, export).run();
            if (negotiated.isEmpty()) {
                outcome = "aborted the handshake";
            } else {
                boolean structured = negotiated.get().structuredReplies();
                LOG.log(Level.DEBUG, "{0} chose export \"{1}\" with {2} replies{3}", peer,
                        negotiated.get().requestedName(), structured ? "structured" : "simple",
                        negotiated.get().baseAllocation() ? " and block status" : "");
                transmission = new Transmission(export.source(), in, new ReplyWriter(channel), structured,
                        negotiated.get().baseAllocation(), peer, slotCount, this::abort);
                outcome = transmission.run();
            }
        } catch (ProtocolViolation e) {
            outcome = "dropped: the client sent " + e.getMessage();
        } catch (EOFException e) {
            outcome = abortReason != null ? abortReason : "closed the connection in the middle of a message";
        } catch (IOException e) {
            outcome = abortReason != null ? abortReason : "connection failed: " + e.getMessage();
        } catch (InterruptedException e) {
            outcome = "interrupted";
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly();
            onFinish.accept(this);
        }
        if (abortReason != null) {
            outcome = abortReason;
        }
        long requests = transmission == null ? 0 : transmission.requests();
        LOG.log(Level.INFO, "{0} {1} ({2} request{3})", peer, outcome, Long.toString(requests),
                requests == 1 ? "" : "s");
    }

    /** Drops the connection at once, e.g. when a reply cannot be completed. */
    void abort(Exception cause) {
        if (abortReason == null) {
            abortReason = cause instanceof ReadResponder.ReplyAborted
                    ? "dropped: " + cause.getMessage()
                    : "went away before its replies were sent (" + cause.getMessage() + ")";
        }
        closeQuietly();
    }

    /** Ends the connection gently: no further requests are read, in-flight replies are sent. */
    void stopReading() {
        if (abortReason == null) {
            abortReason = "disconnected by the server, which is shutting down";
        }
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            closeQuietly();
        }
    }

    /** Ends the connection hard. */
    void close() {
        if (abortReason == null) {
            abortReason = "dropped: the server is shutting down";
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing " + peer, e);
        }
    }
}
