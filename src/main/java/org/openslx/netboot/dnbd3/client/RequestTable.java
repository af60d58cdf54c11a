package org.openslx.netboot.dnbd3.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The GET_BLOCK requests in flight, by handle. The receive thread looks replies up here; after a
 * switch everything still listed is sent again on the new connection, oldest first.
 */
final class RequestTable {
    private final ConcurrentHashMap<Long, PendingRead> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    /** Registers a new request for {@code target.capacity()} bytes at {@code offset}. */
    PendingRead add(long offset, ByteBuffer target) {
        PendingRead read = new PendingRead(nextHandle.getAndIncrement(), offset, target);
        pending.put(read.handle(), read);
        return read;
    }

    /** The request with this handle, if still pending. */
    PendingRead get(long handle) {
        return pending.get(handle);
    }

    /** Marks the request delivered by {@code server} and forgets it. */
    void complete(PendingRead read, ServerAddress server) {
        pending.remove(read.handle(), read);
        read.complete(server);
    }

    /** All pending requests, oldest (lowest handle) first. */
    List<PendingRead> snapshot() {
        List<PendingRead> all = new ArrayList<>(pending.values());
        all.sort(Comparator.comparingLong(PendingRead::handle));
        return all;
    }

    int size() {
        return pending.size();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Fails every pending request with {@code cause} (close, give-up). */
    void failAll(IOException cause) {
        for (PendingRead read : snapshot()) {
            pending.remove(read.handle(), read);
            read.fail(cause);
        }
    }
}
