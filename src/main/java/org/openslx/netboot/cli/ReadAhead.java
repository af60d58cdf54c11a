package org.openslx.netboot.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.openslx.netboot.block.BlockSource;

/**
 * Copies a whole source to a stream in large chunks, reading several chunks ahead in parallel
 * (so compressed clusters are decompressed on all cores) and writing them in order.
 */
final class ReadAhead {
    static final int CHUNK_BYTES = 2 << 20;

    private record Chunk(byte[] bytes, int length) {
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
    static void copy(BlockSource source, OutputStream out, int chunkBytes, int parallel,
            LongConsumer progress) throws IOException {
        long size = source.size();
        ArrayBlockingQueue<byte[]> free = new ArrayBlockingQueue<>(parallel + 1);
        ArrayDeque<Future<Chunk>> inFlight = new ArrayDeque<>();
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            long next = 0;
            long written = 0;
            while (written < size) {
                while (inFlight.size() < parallel && next < size) {
                    long offset = next;
                    int length = (int) Math.min(chunkBytes, size - offset);
                    byte[] buffer = free.poll();
                    byte[] bytes = buffer != null ? buffer : new byte[chunkBytes];
                    inFlight.add(readers.submit(() -> {
                        source.read(ByteBuffer.wrap(bytes, 0, length), offset);
                        return new Chunk(bytes, length);
                    }));
                    next += length;
                }
                Chunk chunk = await(inFlight.removeFirst());
                out.write(chunk.bytes(), 0, chunk.length());
                if (out instanceof PrintStream print && print.checkError()) {
                    throw new IOException("standard output was closed after " + written + " bytes");
                }
                written += chunk.length();
                free.offer(chunk.bytes());
                progress.accept(written);
            }
            out.flush();
            if (out instanceof PrintStream print && print.checkError()) {
                throw new IOException("standard output was closed after " + written + " bytes");
            }
        } finally {
            readers.shutdownNow();
            readers.close();
        }
    }

    private static Chunk await(Future<Chunk> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading", e);
        } catch (ExecutionException e) {
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
}
