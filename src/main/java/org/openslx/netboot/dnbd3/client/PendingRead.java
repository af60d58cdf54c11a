package org.openslx.netboot.dnbd3.client;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One GET_BLOCK the client owes a caller: {@code length} bytes at {@code offset}, to land in
 * {@code target}. It stays pending, across server switches, until some server delivers it or the
 * client gives up; only then is the waiting caller woken.
 *
 * <p>At most one connection carries the request at a time ({@link #claimFor}), and a connection's
 * receive thread is stopped before its requests move to the next one, so only one thread ever
 * writes into {@code target}.
 */
final class PendingRead {
    private final long handle;
    private final long offset;
    private final ByteBuffer target;
    private Connection sentOn;
    private boolean done;
    private IOException failure;
    private ServerAddress deliveredBy;
    /** When it was last sent (System.nanoTime), for the reply timings. */
    private volatile long sentNanos;

    PendingRead(long handle, long offset, ByteBuffer target) {
        this.handle = handle;
        this.offset = offset;
        this.target = target;
    }

    long handle() {
        return handle;
    }

    long offset() {
        return offset;
    }

    int length() {
        return target.capacity();
    }

    void sentAt(long nanoTime) {
        sentNanos = nanoTime;
    }

    long sentNanos() {
        return sentNanos;
    }

    /** A fresh view of the whole target (position 0) for one receive attempt. */
    ByteBuffer freshTarget() {
        return target.duplicate().clear();
    }

    /**
     * Claims the request for sending on {@code connection}; false if it is already on it (a
     * resend after a switch and the caller's own send raced) or already done.
     */
    synchronized boolean claimFor(Connection connection) {
        if (done || sentOn == connection) {
            return false;
        }
        sentOn = connection;
        return true;
    }

    synchronized void complete(ServerAddress server) {
        if (!done) {
            done = true;
            deliveredBy = server;
            notifyAll();
        }
    }

    synchronized void fail(IOException cause) {
        if (!done) {
            done = true;
            failure = cause;
            notifyAll();
        }
    }

    synchronized boolean isDone() {
        return done;
    }

    /** The server whose data landed in the target (after {@link #await}). */
    synchronized ServerAddress deliveredBy() {
        return deliveredBy;
    }

    /**
     * Waits until delivered or failed. Interrupts do not abandon the request (the target would
     * still be written later, like a disk read in flight); the interrupt flag is restored.
     */
    synchronized void await() throws IOException {
        boolean interrupted = false;
        while (!done) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
    }

    @Override
    public String toString() {
        return "GET_BLOCK " + length() + " bytes at offset " + offset + " (handle " + handle + ")";
    }
}
