package org.openslx.netboot.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.List;
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
 * Copies a whole source to a channel in large chunks, reading several chunks ahead in parallel
 * (so compressed clusters are decompressed on all cores) and writing them in order. Chunks
 * whose bytes lie in a file ({@link FileMapped}) are not read at all: the kernel copies them
 * to the output (copy_file_range or sendfile), which halves the copying for raw and
 * uncompressed qcow2 images.
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
