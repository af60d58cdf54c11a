package org.openslx.netboot.block.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.openslx.netboot.block.BlockSource;

/**
 * Sequential read-ahead over a source whose every read costs a round trip (a dnbd3 server behind
 * an emulated or slow network). When reads follow each other through the source, the next
 * {@linkplain Options#maxWindowChunks() window} of aligned chunks is fetched in the background,
 * all at once, so that the source sees many requests in flight instead of one after the other;
 * the window starts small and doubles each time the reader moves on to a further chunk, like the
 * kernel's read-ahead. A stream starts reading ahead only once it has read a chunk's worth.
 * Reads that are not part of a sequential stream go straight to the source and are not cached.
 *
 * <p>Memory is bounded: at most {@link Options#maxChunks()} chunk buffers exist, allocated when
 * first needed and reused. A chunk is given back as soon as its bytes were all read (data read
 * once by a sequential reader is not read again soon; the kernel's page cache keeps it), else
 * the least recently used idle chunk makes room. When no buffer is free, read-ahead pauses and
 * reads go straight to the source.
 *
 * <p>Errors: a failed read-ahead is forgotten, and the reads that waited for it read from the
 * source themselves, so a caller sees the source's own error for its own range, never an error
 * of a speculative read. Capabilities: read-only (the data below must not change), any number
 * of concurrent readers.
 */
public final class ReadAheadSource implements BlockSource {

    /**
     * @param chunkBytes size of one read-ahead request (a power of two, at least 4 KiB)
     * @param maxChunks most chunk buffers alive at once: the memory bound is {@code chunkBytes × maxChunks}
     * @param maxWindowChunks most chunks fetched ahead of a sequential reader
     */
    public record Options(int chunkBytes, int maxChunks, int maxWindowChunks) {
        /** 128 KiB chunks, up to 2 MiB of buffers, up to 1.5 MiB ahead. */
        public static final Options DEFAULTS = new Options(128 << 10, 16, 12);

        public Options {
            if (chunkBytes < 4096 || Integer.bitCount(chunkBytes) != 1) {
                throw new IllegalArgumentException("read-ahead chunk size " + chunkBytes
                        + " is not a power of two of at least 4096");
            }
            if (maxChunks < 2 || maxWindowChunks < 1 || maxWindowChunks > maxChunks) {
                throw new IllegalArgumentException("read-ahead needs at least 2 chunks and a window of 1 to "
                        + maxChunks + " chunks, not " + maxChunks + " and " + maxWindowChunks);
            }
        }

        long memoryBound() {
            return (long) chunkBytes * maxChunks;
        }
    }

    /** Sequential readers told apart at once (e.g. two files copied side by side). */
    private static final int STREAMS = 4;
    private static final int FIRST_WINDOW_CHUNKS = 2;

    private final BlockSource next;
    private final Options options;
    private final long size;
    private final int shift;

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock:
    private final Map<Long, Chunk> chunks = new HashMap<>();
    private final ArrayDeque<ByteBuffer> freeBuffers = new ArrayDeque<>();
    private final Stream[] streams = new Stream[STREAMS];
    private int buffersAllocated;
    private long clock;
    private boolean closed;

    private final LongAdder bytesFromChunks = new LongAdder();
    private final LongAdder bytesDirect = new LongAdder();
    private final LongAdder bytesAhead = new LongAdder();

    public ReadAheadSource(BlockSource next, Options options) {
        this.next = next;
        this.options = options;
        this.size = next.size();
        this.shift = Integer.numberOfTrailingZeros(options.chunkBytes());
    }

    /** One chunk of the source: being fetched, or fetched (then its buffer holds the bytes). */
    private static final class Chunk {
        final long offset;
        final int length;
        final ByteBuffer buffer;
        final CountDownLatch fetched = new CountDownLatch(1);
        // Written before fetched counts down, read after awaiting it:
        IOException failure;
        // Guarded by the source's lock:
        int pins;
        long servedBytes;
        long lastUse;
        boolean done;
        boolean released;

        Chunk(long offset, int length, ByteBuffer buffer, long now) {
            this.offset = offset;
            this.length = length;
            this.buffer = buffer;
            this.lastUse = now;
        }
    }

    /**
     * A sequential reader: where its next read is expected, how many bytes it has read, the last
     * chunk it read ahead from, and how far it reads ahead.
     */
    private static final class Stream {
        long next;
        long bytesRead;
        long plannedFrom = -1;
        int windowChunks = FIRST_WINDOW_CHUNKS;
        long lastUse;

        Stream(long next, long bytesRead, long now) {
            this.next = next;
            this.bytesRead = bytesRead;
            this.lastUse = now;
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        int length = dst.remaining();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        List<Chunk> toFetch = new ArrayList<>();
        List<Chunk> covering;
        lock.lock();
        try {
            if (closed) {
                throw new IOException(describe() + ": read-ahead closed");
            }
            clock++;
            Stream stream = sequentialStream(offset, length);
            // Read ahead once the stream has read a chunk's worth, and each time it moves on to a
            // further chunk. Before that (small reads close together, like a qcow2 header parsed
            // field by field) only the chunks under the read are fetched, once, for the reads
            // that follow: when the window grew with every small read, it filled the connection
            // with 1.8 MiB nobody had asked for while the image opened.
            long lastChunk = chunkIndex(offset + length - 1);
            if (stream != null && stream.bytesRead >= options.chunkBytes() && lastChunk > stream.plannedFrom) {
                stream.plannedFrom = lastChunk;
                planAhead(stream, offset, length, toFetch);
            } else if (stream != null) {
                plan(chunkIndex(offset), chunkStart(lastChunk + 1), toFetch);
            }
            covering = pinCovering(offset, length);
        } finally {
            lock.unlock();
        }
        toFetch.forEach(this::startFetch);
        try {
            fill(covering, dst, offset);
        } finally {
            unpin(covering, offset, length);
        }
    }

    /**
     * Fills the caller's range: from the chunks that cover it where there are any (waiting for
     * those still being fetched), straight from the source for the rest and for failed chunks.
     */
    private void fill(List<Chunk> covering, ByteBuffer dst, long offset) throws IOException {
        int base = dst.position();
        long end = offset + dst.remaining();
        long firstIndex = chunkIndex(offset);
        int i = 0;
        while (i < covering.size()) {
            long from = Math.max(offset, chunkStart(firstIndex + i));
            Chunk chunk = covering.get(i);
            if (chunk != null) {
                awaitUninterruptibly(chunk.fetched);
                long to = Math.min(end, chunk.offset + chunk.length);
                if (chunk.failure == null) {
                    dst.put(base + (int) (from - offset), chunk.buffer, (int) (from - chunk.offset), (int) (to - from));
                    bytesFromChunks.add(to - from);
                } else {
                    // The caller gets the source's own answer for its range, not the read-ahead's error.
                    readDirect(dst, base, offset, from, to);
                }
                i++;
                continue;
            }
            int j = i;
            while (j < covering.size() && covering.get(j) == null) {
                j++;
            }
            readDirect(dst, base, offset, from, Math.min(end, chunkStart(firstIndex + j)));
            i = j;
        }
        dst.position(dst.limit());
    }

    private void readDirect(ByteBuffer dst, int base, long offset, long from, long to) throws IOException {
        next.read(dst.slice(base + (int) (from - offset), (int) (to - from)), from);
        bytesDirect.add(to - from);
    }

    /**
     * The stream this read continues (its start lies within a window of where the stream is
     * expected, either side, since concurrent reads arrive slightly out of order), or null when
     * it starts a new stream, which then replaces the least recently used one.
     */
    private Stream sequentialStream(long offset, int length) {
        long end = offset + length;
        int victim = -1; // an empty slot, else the least recently used stream
        for (int i = 0; i < STREAMS; i++) {
            Stream s = streams[i];
            if (s == null) {
                if (victim < 0 || streams[victim] != null) {
                    victim = i;
                }
                continue;
            }
            long tolerance = (long) (s.windowChunks + 1) << shift;
            if (offset <= s.next + tolerance && offset + length >= s.next - tolerance) {
                s.next = Math.max(s.next, end);
                s.bytesRead += length;
                s.lastUse = clock;
                return s;
            }
            if (victim < 0 || (streams[victim] != null && s.lastUse < streams[victim].lastUse)) {
                victim = i;
            }
        }
        streams[victim] = new Stream(end, length, clock);
        return null;
    }

    /** Adds the chunks from this read's first one to the end of the stream's window. */
    private void planAhead(Stream stream, long offset, int length, List<Chunk> toFetch) {
        long readEnd = offset + length;
        plan(chunkIndex(offset), chunkStart(chunkIndex(readEnd - 1) + 1) + ((long) stream.windowChunks << shift), toFetch);
        stream.windowChunks = Math.min(options.maxWindowChunks(), stream.windowChunks * 2);
    }

    /** Adds the chunks from {@code first} up to {@code end} that are neither there nor on their way. */
    private void plan(long first, long end, List<Chunk> toFetch) {
        long windowEnd = Math.min(size, end);
        for (long index = first; chunkStart(index) < windowEnd; index++) {
            if (chunks.containsKey(index)) {
                continue;
            }
            ByteBuffer buffer = takeBuffer();
            if (buffer == null) {
                break; // every buffer is busy: read-ahead waits, reads go to the source
            }
            long start = chunkStart(index);
            Chunk chunk = new Chunk(start, (int) Math.min(options.chunkBytes(), size - start), buffer, clock);
            chunks.put(index, chunk);
            toFetch.add(chunk);
        }
    }

    /**
     * A free buffer: a recycled one, a new one within the bound, or the one of the least recently
     * used idle chunk that no stream is about to read (outside every stream's window, e.g. one
     * read only in part). Chunks fetched for the reads about to come are never taken: with more
     * readers than buffers, some read straight from the source instead of evicting each other's
     * chunks.
     */
    private ByteBuffer takeBuffer() {
        ByteBuffer free = freeBuffers.poll();
        if (free != null) {
            return free;
        }
        if (buffersAllocated < options.maxChunks()) {
            buffersAllocated++;
            return ByteBuffer.allocateDirect(options.chunkBytes());
        }
        Chunk victim = null;
        for (Chunk c : chunks.values()) {
            if (c.done && c.pins == 0 && (victim == null || c.lastUse < victim.lastUse) && !aboutToBeRead(c)) {
                victim = c;
            }
        }
        if (victim == null) {
            return null;
        }
        chunks.remove(chunkIndex(victim.offset), victim);
        victim.released = true;
        return victim.buffer;
    }

    /** Whether the chunk lies in the window of a stream, from the chunk it reads now on. */
    private boolean aboutToBeRead(Chunk chunk) {
        for (Stream s : streams) {
            if (s != null && chunk.offset + chunk.length > s.next - options.chunkBytes()
                    && chunk.offset < s.next + ((long) (s.windowChunks + 1) << shift)) {
                return true;
            }
        }
        return false;
    }

    /** The chunks covering the range, pinned, with null where there is none. */
    private List<Chunk> pinCovering(long offset, int length) {
        long first = chunkIndex(offset);
        long last = chunkIndex(offset + length - 1);
        List<Chunk> covering = new ArrayList<>((int) (last - first + 1));
        for (long index = first; index <= last; index++) {
            Chunk chunk = chunks.get(index);
            if (chunk != null) {
                chunk.pins++;
                chunk.lastUse = clock;
            }
            covering.add(chunk);
        }
        return covering;
    }

    private void unpin(List<Chunk> covering, long offset, int length) {
        lock.lock();
        try {
            for (Chunk chunk : covering) {
                if (chunk == null) {
                    continue;
                }
                chunk.pins--;
                chunk.servedBytes += Math.min(offset + length, chunk.offset + chunk.length)
                        - Math.max(offset, chunk.offset);
                boolean finished = chunk.done && (chunk.failure != null || chunk.servedBytes >= chunk.length);
                if (chunk.pins == 0 && finished) {
                    release(chunk);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void startFetch(Chunk chunk) {
        Thread.ofVirtual().name("read-ahead").start(() -> {
            IOException failure = null;
            try {
                next.read(chunk.buffer.duplicate().clear().limit(chunk.length), chunk.offset);
                bytesAhead.add(chunk.length);
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException(describe() + ": read-ahead at offset " + chunk.offset + " failed: " + e, e);
            }
            chunk.failure = failure;
            lock.lock();
            try {
                chunk.done = true;
                if (failure != null && chunk.pins == 0) {
                    release(chunk);
                } else if (failure != null) {
                    chunks.remove(chunkIndex(chunk.offset), chunk); // new reads must not wait for it
                }
            } finally {
                lock.unlock();
            }
            chunk.fetched.countDown();
        });
    }

    /** Forgets the chunk and recycles its buffer (lock held; the chunk is done and unpinned). */
    private void release(Chunk chunk) {
        chunks.remove(chunkIndex(chunk.offset), chunk);
        if (!chunk.released) {
            chunk.released = true;
            freeBuffers.push(chunk.buffer);
        }
    }

    private long chunkIndex(long offset) {
        return offset >>> shift;
    }

    private long chunkStart(long index) {
        return index << shift;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Chunk buffers in use or recycled now; never more than {@link Options#maxChunks()}. */
    public int buffersAllocated() {
        lock.lock();
        try {
            return buffersAllocated;
        } finally {
            lock.unlock();
        }
    }

    /** One line for the status report: bytes served from read-ahead, read directly, fetched ahead. */
    public String statistics() {
        return "read-ahead: %d MiB served from read-ahead, %d MiB read directly, %d MiB fetched ahead (%d KiB buffers)"
                .formatted(bytesFromChunks.sum() >> 20, bytesDirect.sum() >> 20, bytesAhead.sum() >> 20,
                        (long) buffersAllocated() * options.chunkBytes() >> 10);
    }

    @Override
    public String describe() {
        return next.describe();
    }

    @Override
    public boolean canMultiConn() {
        return true;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        next.close();
    }
}
