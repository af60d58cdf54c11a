package org.openslx.netboot.nbd;

import static org.openslx.netboot.nbd.NbdProtocol.*;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.ReadOnlySourceException;

/**
 * The transmission phase of one connection: reads requests one after another and answers
 * them. READs run concurrently, each on its own virtual thread holding one of the connection's
 * {@link RequestSlots}, and reply as they complete. WRITE, TRIM and FLUSH run in order on this
 * thread, so a FLUSH covers every write answered before it.
 *
 * <p>Invalid requests get an error reply and the connection goes on: EINVAL for unknown
 * commands or flags, reads past the end or longer than 32 MiB; EPERM for writes to a read-only
 * export; ENOSPC for writes past the end. Bad magic or an oversized write payload end the
 * connection ({@link ProtocolViolation}).
 */
final class Transmission {
    private static final System.Logger LOG = System.getLogger(Transmission.class.getName());
    /** How long a finished connection waits for its in-flight replies. */
    private static final long DRAIN_TIMEOUT_MILLIS = 30_000;

    private final BlockSource source;
    private final ChannelReader in;
    private final ReplyWriter out;
    private final boolean structured;
    /** Whether the client selected {@code base:allocation}, the condition for BLOCK_STATUS. */
    private final boolean baseAllocation;
    private final String peer;
    private final RequestSlots slots;
    private final ReadResponder reads;
    private final Consumer<Exception> abort;
    private final LateReads lateReads;
    /** This thread's own header buffer for the replies it sends itself. */
    private final ByteBuffer header = ByteBuffer.allocateDirect(Replies.HEADER_CAPACITY);
    private long requests;

    /**
     * @param abort called when a concurrent reply fails: it must drop the connection, which
     *     also ends {@link #run()}
     */
    Transmission(BlockSource source, ChannelReader in, ReplyWriter out, boolean structured, boolean baseAllocation,
            String peer, int slotCount, Consumer<Exception> abort) {
        this.source = source;
        this.in = in;
        this.out = out;
        this.structured = structured;
        this.baseAllocation = baseAllocation;
        this.peer = peer;
        this.slots = new RequestSlots(slotCount);
        this.reads = new ReadResponder(source, out, structured, peer);
        this.abort = abort;
        this.lateReads = new LateReads(peer, LateReads.REPORT_AFTER);
    }

    long requests() {
        return requests;
    }

    /**
     * Serves requests until the client leaves; returns how it left, for the log. In-flight
     * replies are finished before it returns.
     */
    String run() throws IOException, InterruptedException {
        Thread lateReadWatch = lateReads.watch();
        try {
            while (true) {
                if (!in.awaitMessage()) {
                    return "closed the connection";
                }
                Request request = Request.read(in);
                requests++;
                switch (request.type()) {
                    case CMD_READ -> read(request);
                    case CMD_WRITE -> write(request);
                    case CMD_DISC -> {
                        return "disconnected";
                    }
                    case CMD_FLUSH -> flush(request);
                    case CMD_TRIM -> trim(request);
                    case CMD_BLOCK_STATUS -> blockStatus(request);
                    default -> fail(request, EINVAL, "unknown command " + request.type());
                }
            }
        } finally {
            lateReadWatch.interrupt();
            if (slots.awaitAllIdle(DRAIN_TIMEOUT_MILLIS)) {
                slots.recycle();
            } else {
                LOG.log(Level.WARNING, "{0}: replies still unsent after {1} ms; dropping them", peer,
                        DRAIN_TIMEOUT_MILLIS);
            }
        }
    }

    private void read(Request request) throws IOException, InterruptedException {
        if (!checkFlags(request) || !checkLength(request)) {
            return;
        }
        if (!request.fitsIn(source.size())) {
            fail(request, EINVAL, request.describe() + " lies outside the export (size " + source.size() + ")");
            return;
        }
        if (request.length() == 0) {
            succeed(request);
            return;
        }
        RequestSlots.Slot slot = slots.acquire();
        lateReads.started(slot, request, System.nanoTime());
        Thread.ofVirtual().start(() -> {
            try {
                reads.respond(request, slot);
            } catch (IOException | RuntimeException e) {
                abort.accept(e);
            } finally {
                lateReads.finished(slot, System.nanoTime());
                slots.release(slot);
            }
        });
    }

    private void write(Request request) throws IOException, InterruptedException {
        long length = request.length();
        if (length > MAX_REQUEST_LENGTH) {
            throw new ProtocolViolation("a " + request.describe() + ", more than the maximum of "
                    + MAX_REQUEST_LENGTH + " bytes");
        }
        int error = 0;
        String message = null;
        if ((request.flags() & ~CMD_FLAG_FUA) != 0) {
            error = EINVAL;
            message = unsupportedFlags(request);
        } else if (!source.canWrite()) {
            error = EPERM;
            message = "the export is read-only";
        } else if (!request.fitsIn(source.size())) {
            error = ENOSPC;
            message = request.describe() + " reaches past the end of the export (size " + source.size() + ")";
        }
        if (error != 0) {
            in.skip(length);
            fail(request, error, message);
            return;
        }
        RequestSlots.Slot slot = slots.acquire();
        try {
            IOException failure = receiveAndWrite(request, slot);
            if (failure == null && (request.flags() & CMD_FLAG_FUA) != 0) {
                failure = flushSource();
            }
            if (failure != null) {
                failSourceError(request, failure);
            } else {
                succeed(request);
            }
        } finally {
            slots.release(slot);
        }
    }

    /** Writes the payload piece by piece; after a failure the rest is still read and dropped. */
    private IOException receiveAndWrite(Request request, RequestSlots.Slot slot) throws IOException {
        ByteBuffer piece;
        try {
            piece = slot.data();
        } catch (IOException e) {
            in.skip(request.length());
            return e;
        }
        IOException failure = null;
        long done = 0;
        while (done < request.length()) {
            int n = (int) Math.min(request.length() - done, piece.capacity());
            piece.clear().limit(n);
            in.readFully(piece);
            if (failure == null) {
                try {
                    source.write(piece.flip(), request.offset() + done);
                } catch (IOException e) {
                    failure = e;
                }
            }
            done += n;
        }
        return failure;
    }

    private void flush(Request request) throws IOException {
        if (!checkFlags(request)) {
            return;
        }
        IOException failure = flushSource();
        if (failure != null) {
            failSourceError(request, failure);
        } else {
            succeed(request);
        }
    }

    private void trim(Request request) throws IOException {
        if (!checkFlags(request)) {
            return;
        }
        if (!source.canWrite()) {
            fail(request, EPERM, "the export is read-only");
        } else if (!source.canTrim()) {
            fail(request, EINVAL, "the export does not support TRIM");
        } else if (!request.fitsIn(source.size())) {
            fail(request, EINVAL, request.describe() + " lies outside the export (size " + source.size() + ")");
        } else {
            try {
                source.trim(request.offset(), request.length());
                if ((request.flags() & CMD_FLAG_FUA) != 0) {
                    source.flush();
                }
                succeed(request);
            } catch (IOException e) {
                failSourceError(request, e);
            }
        }
    }

    /**
     * Answers BLOCK_STATUS for {@code base:allocation} with one chunk of descriptors. It runs on
     * this thread: it only consults metadata (cached qcow2 tables, lseek), and a bounded amount of
     * it, since the reply may cover less than asked (the client asks again for the rest).
     */
    private void blockStatus(Request request) throws IOException {
        if ((request.flags() & ~(CMD_FLAG_FUA | CMD_FLAG_REQ_ONE)) != 0) {
            fail(request, EINVAL, unsupportedFlags(request));
        } else if (!structured || !baseAllocation) {
            fail(request, EINVAL, "BLOCK_STATUS needs the base:allocation context (NBD_OPT_SET_META_CONTEXT)");
        } else if (request.length() == 0) {
            fail(request, EINVAL, "BLOCK_STATUS of 0 bytes");
        } else if (!request.fitsIn(source.size())) {
            fail(request, EINVAL, request.describe() + " lies outside the export (size " + source.size() + ")");
        } else {
            BlockStatus.Descriptors found;
            try {
                found = BlockStatus.describe(source, request.offset(), request.length(),
                        (request.flags() & CMD_FLAG_REQ_ONE) != 0);
            } catch (IOException | RuntimeException e) {
                failSourceError(request, e instanceof IOException io ? io : new IOException(e.toString(), e));
                return;
            }
            out.send(Replies.blockStatus(request.handle(), BASE_ALLOCATION_ID, found.lengths(), found.states(),
                    found.count()));
        }
    }

    private IOException flushSource() {
        try {
            source.flush();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** FUA is accepted on every command (and ignored where nothing is written); no other flag. */
    private boolean checkFlags(Request request) throws IOException {
        if ((request.flags() & ~CMD_FLAG_FUA) == 0) {
            return true;
        }
        fail(request, EINVAL, unsupportedFlags(request));
        return false;
    }

    private boolean checkLength(Request request) throws IOException {
        if (request.length() <= MAX_REQUEST_LENGTH) {
            return true;
        }
        fail(request, EINVAL, request.describe() + " exceeds the maximum of " + MAX_REQUEST_LENGTH + " bytes");
        return false;
    }

    private static String unsupportedFlags(Request request) {
        return String.format("%s with unsupported flags 0x%04x", commandName(request.type()), request.flags());
    }

    private void succeed(Request request) throws IOException {
        if (structured && request.type() == CMD_READ) {
            out.send(Replies.done(header, request.handle()));
        } else {
            // Allowed for anything but READ even when structured replies are on.
            out.send(Replies.simple(header, request.handle(), 0));
        }
    }

    private void failSourceError(Request request, IOException e) throws IOException {
        int error = e instanceof ReadOnlySourceException ? EPERM : EIO;
        String message = request.describe() + " failed: " + e.getMessage();
        LOG.log(Level.WARNING, "{0}: {1}", peer, message);
        fail(request, error, message);
    }

    private void fail(Request request, int error, String message) throws IOException {
        LOG.log(Level.DEBUG, "{0}: answering {1} with error {2}: {3}", peer, request.describe(), error, message);
        if (structured) {
            out.send(Replies.error(request.handle(), error, message));
        } else {
            out.send(Replies.simple(header, request.handle(), error));
        }
    }
}
