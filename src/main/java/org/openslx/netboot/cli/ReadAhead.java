package org.openslx.netboot.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileMapped;
import org.openslx.netboot.util.TaskFailure;

/**
 * Copies a whole source out in large chunks, on all cores (so compressed clusters are
 * decompressed in parallel). Into a pipe ({@link #copy}) chunks are read ahead in parallel and
 * written in order; chunks whose bytes lie in a file ({@link FileMapped}) are not read at all:
 * the kernel copies them (sendfile), which halves the copying for raw and uncompressed qcow2
 * images. Into a regular file ({@link #copyToFile}) no chunk waits for another: each is written
 * at its place as soon as it is ready, and holes are left unwritten.
 */
final class ReadAhead {
    static final int CHUNK_BYTES = 2 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    /** A chunk to write: either its pieces in files, or its bytes read into a buffer. */
    private record Chunk(List<FileMapped.Piece> pieces, ByteBuffer bytes, long length) {
    }

    private ReadAhead() {
    }

    /** Readers in flight: enough to keep both the cores and the disk busy, bounded in memory. */
    static int defaultParallelism() {
        return Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);
    }

    /**
     * Copies all of {@code source} to {@code out}; {@code progress} hears the bytes written so
     * far after each chunk.
     *
     * @throws IOException if reading fails (message from the source) or {@code out} is closed
     */
    static void copy(BlockSource source, WritableByteChannel out, int chunkBytes, int parallel,
            LongConsumer progress) throws IOException {
        long size = source.size();
        FileMapped mapped = source instanceof FileMapped m ? m : null;
        ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(parallel + 1);
        ArrayDeque<Future<Chunk>> inFlight = new ArrayDeque<>();
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            long next = 0;
            long written = 0;
            while (written < size) {
                while (inFlight.size() < parallel && next < size) {
                    long offset = next;
                    int length = (int) Math.min(chunkBytes, size - offset);
                    inFlight.add(readers.submit(() -> {
                        List<FileMapped.Piece> pieces = mapped == null ? null : mapped.piecesOf(offset, length);
                        if (pieces != null) {
                            return new Chunk(pieces, null, length);
                        }
                        ByteBuffer buffer = free.poll();
                        ByteBuffer bytes = (buffer != null ? buffer : ByteBuffer.allocateDirect(chunkBytes))
                                .clear().limit(length);
                        source.read(bytes, offset);
                        return new Chunk(null, bytes.flip(), length);
                    }));
                    next += length;
                }
                Chunk chunk = await(inFlight.removeFirst());
                try {
                    if (chunk.pieces() != null) {
                        writePieces(chunk.pieces(), out);
                    } else {
                        writeFully(chunk.bytes(), out);
                        free.offer(chunk.bytes());
                    }
                } catch (IOException e) {
                    throw new IOException("writing to standard output failed after " + written + " bytes ("
                            + e.getMessage() + ")", e);
                }
                written += chunk.length();
                progress.accept(written);
            }
        } finally {
            readers.shutdownNow();
            readers.close();
        }
    }

    /**
     * Copies all of {@code source} into a regular file: {@code parallel} threads each take the
     * next chunk and write it at its place (pwrite), so reading, decoding and the kernel's
     * copying run on all cores at once and no chunk waits for the one before it. Bytes that
     * lie in a file are mapped and written from the mapping (one copy, as sendfile, but at a
     * position). Into a fresh file, holes (unallocated or zero clusters, {@link FileMapped.Zeros})
     * are not written at all, as qemu-img convert leaves them: the output reads the same and
     * is sparse. The descriptor's position ends after the output, as a sequential write leaves it.
     */
    static void copyToFile(BlockSource source, StandardOutput.RegularFile out, int chunkBytes, int parallel,
            LongConsumer progress) throws IOException {
        long size = source.size();
        FileMapped mapped = source instanceof FileMapped m ? m : null;
        AtomicLong nextChunk = new AtomicLong();
        AtomicLong written = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<Void>> workers = new ArrayList<>();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < parallel; i++) {
                workers.add(pool.submit(() -> {
                    ByteBuffer buffer = null;
                    while (true) {
                        long offset = nextChunk.getAndIncrement() * chunkBytes;
                        if (offset >= size || failed.get()) {
                            return null;
                        }
                        int length = (int) Math.min(chunkBytes, size - offset);
                        try {
                            List<FileMapped.Piece> pieces = mapped == null ? null : mapped.piecesOf(offset, length);
                            if (pieces != null) {
                                writePiecesAt(pieces, out, out.start() + offset);
                            } else if (!(out.fresh() && isHole(source, offset, length))) {
                                if (buffer == null) {
                                    buffer = ByteBuffer.allocateDirect(chunkBytes);
                                }
                                buffer.clear().limit(length);
                                source.read(buffer, offset);
                                writeAt(buffer.flip(), out.channel(), out.start() + offset);
                            }
                        } catch (IOException | RuntimeException e) {
                            failed.set(true); // the other workers stop after their chunk
                            throw e;
                        }
                        progress.accept(written.addAndGet(length));
                    }
                }));
            }
            for (Future<Void> worker : workers) {
                awaitWorker(worker);
            }
        } finally {
            pool.shutdownNow();
            pool.close();
        }
        long end = out.start() + size;
        if (size > 0 && out.channel().size() < end) {
            // The output ends in a hole that was skipped: one zero byte gives the file its size.
            writeAt(ByteBuffer.allocate(1), out.channel(), end - 1);
        }
        out.channel().position(end);
    }

    /** Whether the whole range is one hole of the source (reads as zeros, need not be written). */
    private static boolean isHole(BlockSource source, long offset, int length) throws IOException {
        var allocation = source.allocation(offset, length);
        return allocation.hole() && allocation.length() >= length;
    }

    private static void writePiecesAt(List<FileMapped.Piece> pieces, StandardOutput.RegularFile out, long position)
            throws IOException {
        long at = position;
        for (FileMapped.Piece piece : pieces) {
            switch (piece) {
                case FileMapped.InFile stored -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment bytes = stored.file().map(FileChannel.MapMode.READ_ONLY, stored.position(),
                                stored.length(), arena);
                        writeAt(bytes.asByteBuffer(), out.channel(), at);
                    }
                }
                case FileMapped.Zeros zeros -> {
                    if (!out.fresh()) {
                        for (long left = zeros.length(), p = at; left > 0; ) {
                            int n = (int) Math.min(left, ZEROS.capacity());
                            writeAt(ZEROS.duplicate().limit(n), out.channel(), p);
                            left -= n;
                            p += n;
                        }
                    }
                }
            }
            at += piece.length();
        }
    }

    private static void writeAt(ByteBuffer bytes, FileChannel out, long position) throws IOException {
        long at = position;
        try {
            while (bytes.hasRemaining()) {
                at += out.write(bytes, at);
            }
        } catch (IOException e) {
            throw new IOException("writing to standard output failed at byte " + at + " (" + e.getMessage() + ")", e);
        }
    }

    private static void awaitWorker(Future<Void> worker) throws IOException {
        try {
            worker.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying", e);
        } catch (ExecutionException e) {
            throw TaskFailure.asIOException(e.getCause());
        }
    }

    private static void writePieces(List<FileMapped.Piece> pieces, WritableByteChannel out) throws IOException {
        for (FileMapped.Piece piece : pieces) {
            switch (piece) {
                case FileMapped.InFile stored -> {
                    long done = 0;
                    while (done < stored.length()) {
                        long n = stored.file().transferTo(stored.position() + done, stored.length() - done, out);
                        if (n <= 0 && stored.position() + done >= stored.file().size()) {
                            throw new IOException("the image file shrank while reading it");
                        }
                        done += n;
                    }
                }
                case FileMapped.Zeros zeros -> {
                    for (long left = zeros.length(); left > 0; ) {
                        int n = (int) Math.min(left, ZEROS.capacity());
                        writeFully(ZEROS.duplicate().limit(n), out);
                        left -= n;
                    }
                }
            }
        }
    }

    private static void writeFully(ByteBuffer bytes, WritableByteChannel out) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    private static Chunk await(Future<Chunk> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading", e);
        } catch (ExecutionException e) {
            throw TaskFailure.asIOException(e.getCause());
        }
    }
}
