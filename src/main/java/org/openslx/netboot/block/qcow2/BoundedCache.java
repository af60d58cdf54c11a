package org.openslx.netboot.block.qcow2;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A least-recently-used cache of at most {@code capacity} values keyed by file offset, for L2
 * table slices and decompressed clusters.
 *
 * <p>The lock guards only the map. Loading (reading, decompressing) happens outside it, so
 * concurrent readers decode different clusters in parallel; readers asking for a value that is
 * being loaded wait for that one load instead of repeating it.
 */
final class BoundedCache<V> {
    interface Loader<V> {
        V load(long key) throws IOException;
    }

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Long, CompletableFuture<V>> entries =
            new LinkedHashMap<>(16, 0.75f, true);

    BoundedCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    V get(long key, Loader<V> loader) throws IOException {
        CompletableFuture<V> future;
        boolean loadHere = false;
        lock.lock();
        try {
            future = entries.get(key);
            if (future == null) {
                future = new CompletableFuture<>();
                entries.put(key, future);
                loadHere = true;
                evictBeyondCapacity();
            }
        } finally {
            lock.unlock();
        }
        return loadHere ? load(key, future, loader) : await(future);
    }

    private V load(long key, CompletableFuture<V> future, Loader<V> loader) throws IOException {
        try {
            V value = loader.load(key);
            future.complete(value);
            return value;
        } catch (IOException | RuntimeException | Error e) {
            // Failures are not cached: the next reader tries again (the source may recover).
            lock.lock();
            try {
                entries.remove(key, future);
            } finally {
                lock.unlock();
            }
            future.completeExceptionally(e);
            throw e;
        }
    }

    private static <V> V await(CompletableFuture<V> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    private void evictBeyondCapacity() {
        // Evicting a value still loading is harmless: its loader completes it for those waiting.
        Iterator<Map.Entry<Long, CompletableFuture<V>>> eldest = entries.entrySet().iterator();
        while (entries.size() > capacity && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
    }
}
