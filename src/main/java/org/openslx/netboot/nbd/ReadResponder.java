package org.openslx.netboot.nbd;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileMapped;

/**
 * Answers one validated READ on its own thread: reads the source piece by piece into the
 * request's buffer and sends each piece as soon as it is read, so a 32 MiB read never needs
 * 32 MiB of memory.
 *
 * <p>Structured replies make each piece its own OFFSET_DATA chunk, and a source error becomes
 * an ERROR chunk. A simple reply (the kernel's kind) is one header followed by all the data,
 * so the first piece is read before the header (an early error is still a clean EIO reply),
 * the reply holds the connection's send lock to the end, and an error after the header leaves
 * only a hard disconnect, as the protocol prescribes.
 *
 * <p>A {@link FileMapped} source (a raw file, an uncompressed qcow2 image, a partition of
 * either) skips the buffer where it can: the kernel copies its bytes from the page cache to
 * the socket (sendfile), which saves a copy and most of the CPU time.
 */
final class ReadResponder {
    private static final System.Logger LOG = System.getLogger(ReadResponder.class.getName());

    /** Thrown when the reply cannot be completed and the connection must be dropped. */
    static final class ReplyAborted extends IOException {
        ReplyAborted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final BlockSource source;
    /** Set when the source can say where its bytes lie in a file, so they go out by sendfile. */
    private final FileMapped mapped;
    private final ReplyWriter out;
    private final boolean structured;
    private final String peer;

    ReadResponder(BlockSource source, ReplyWriter out, boolean structured, String peer) {
        this.source = source;
        this.mapped = source instanceof FileMapped fileMapped ? fileMapped : null;
        this.out = out;
        this.structured = structured;
        this.peer = peer;
    }

    /**
     * Sends the whole reply for {@code request}.
     *
     * @throws IOException if sending failed (the client is gone) or the reply could not be
     *     completed; either way the connection is finished
     */
    void respond(Request request, RequestSlots.Slot slot) throws IOException {
        List<FileMapped.Piece> pieces = null;
        if (mapped != null) {
            try {
                pieces = mapped.piecesOf(request.offset(), request.length());
            } catch (IOException | RuntimeException e) {
                String message = failure(request, request.offset(), e);
                out.send(structured ? Replies.error(request.handle(), NbdProtocol.EIO, message)
                        : Replies.simple(slot.header, request.handle(), NbdProtocol.EIO));
                return;
            }
        }
        if (pieces != null) {
            respondFromFile(request, slot, pieces);
        } else if (structured) {
            respondStructured(request, slot);
        } else {
            respondSimple(request, slot);
        }
    }

    /**
     * One reply (a single final OFFSET_DATA chunk, or a simple reply) whose data the kernel
     * copies from the file, with zeros written in between where the source has them. A file
     * error can only show up mid-send, so it drops the connection.
     */
    private void respondFromFile(Request request, RequestSlots.Slot slot, List<FileMapped.Piece> pieces)
            throws IOException {
        int length = (int) request.length();
        ByteBuffer header = structured
                ? Replies.offsetData(slot.header, request.handle(), request.offset(), length, true)
                : Replies.simple(slot.header, request.handle(), 0);
        out.lock();
        try {
            out.writeLocked(header);
            try {
                for (FileMapped.Piece piece : pieces) {
                    switch (piece) {
                        case FileMapped.InFile stored -> out.transferLocked(stored.file(), stored.position(),
                                stored.length());
                        case FileMapped.Zeros zeros -> out.writeZerosLocked(zeros.length());
                    }
                }
            } catch (IOException e) {
                // The file or the socket failed; either way the reply cannot be completed.
                throw new ReplyAborted("sending the data of a " + request.describe() + " failed: "
                        + e.getMessage(), e);
            }
        } finally {
            out.unlock();
        }
    }

    private void respondStructured(Request request, RequestSlots.Slot slot) throws IOException {
        ByteBuffer data = slot.data();
        long offset = request.offset();
        long remaining = request.length();
        while (remaining > 0) {
            int n = (int) Math.min(remaining, data.capacity());
            data.clear().limit(n);
            try {
                source.read(data, offset);
            } catch (IOException | RuntimeException e) {
                String message = failure(request, offset, e);
                out.send(Replies.error(request.handle(), NbdProtocol.EIO, message));
                return;
            }
            remaining -= n;
            out.send(Replies.offsetData(slot.header, request.handle(), offset, n, remaining == 0), data.flip());
            offset += n;
        }
    }

    private void respondSimple(Request request, RequestSlots.Slot slot) throws IOException {
        ByteBuffer data = slot.data();
        long offset = request.offset();
        long remaining = request.length();
        int n = (int) Math.min(remaining, data.capacity());
        data.limit(n);
        try {
            source.read(data, offset);
        } catch (IOException | RuntimeException e) {
            failure(request, offset, e);
            out.send(Replies.simple(slot.header, request.handle(), NbdProtocol.EIO));
            return;
        }
        out.lock();
        try {
            out.writeLocked(Replies.simple(slot.header, request.handle(), 0), data.flip());
            offset += n;
            remaining -= n;
            while (remaining > 0) {
                n = (int) Math.min(remaining, data.capacity());
                data.clear().limit(n);
                try {
                    source.read(data, offset);
                } catch (IOException | RuntimeException e) {
                    throw new ReplyAborted(failure(request, offset, e)
                            + "; the reply header was already sent, so the connection is dropped", e);
                }
                out.writeLocked(data.flip());
                offset += n;
                remaining -= n;
            }
        } finally {
            out.unlock();
        }
    }

    /** Logs a source failure and returns the message for the client. */
    private String failure(Request request, long pieceOffset, Exception e) {
        String message = request.describe() + " failed at offset " + pieceOffset + ": "
                + (e.getMessage() == null ? e.toString() : e.getMessage());
        LOG.log(Level.WARNING, "{0}: {1}", peer, message);
        LOG.log(Level.DEBUG, "read failure", e);
        return message;
    }
}
