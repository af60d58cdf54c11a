package org.openslx.netboot.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Standard output as a channel for commands that write much data ({@code slx image cat}). In
 * the slx process it is file descriptor 1 itself, so a file source can be copied to it by the
 * kernel (sendfile, copy_file_range) and buffers are written without copying them first; when
 * a test has replaced {@link System#out} and calls {@link Main#run}, it is that stream.
 */
final class StandardOutput {
    /** Set by {@link Main#main}: System.out is still the process's standard output. */
    static volatile boolean isProcessOutput;

    private StandardOutput() {
    }

    /**
     * Standard output redirected to a regular file (not a pipe, a terminal or a file opened
     * for appending), which can then be written at any position by several threads at once.
     *
     * @param channel descriptor 1 as a channel: positional writes are pwrite
     * @param start where the output begins: the descriptor's position
     * @param fresh whether the file holds nothing from {@code start} on, so ranges left
     *     unwritten read as zeros and runs of zeros may be skipped (written sparse)
     */
    record RegularFile(FileChannel channel, long start, boolean fresh) {
    }

    /** Standard output as a {@link RegularFile}, or null if it is something else. */
    static RegularFile regularFile() throws IOException {
        if (!isProcessOutput || !Files.isRegularFile(Path.of("/proc/self/fd/1")) || appending()) {
            return null;
        }
        System.out.flush();
        @SuppressWarnings("resource")
        FileChannel fd1 = new FileOutputStream(FileDescriptor.out).getChannel();
        long start = fd1.position();
        return new RegularFile(fd1, start, fd1.size() <= start);
    }

    /** Whether descriptor 1 has O_APPEND, where a positional write would land at the end instead. */
    private static boolean appending() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/1"))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring(6).strip(), 8) & O_APPEND) != 0;
            }
        }
        return true; // unknown: take the safe, sequential path
    }

    private static final int O_APPEND = 02000;

    /** The channel; closing it is not needed (and would not close standard output). */
    static WritableByteChannel channel() {
        if (isProcessOutput) {
            System.out.flush();
            // Not closed on purpose: the stream and its channel share descriptor 1.
            @SuppressWarnings("resource")
            FileOutputStream fd1 = new FileOutputStream(FileDescriptor.out);
            return fd1.getChannel();
        }
        return new PrintStreamChannel(System.out);
    }

    /** Writes to a PrintStream, which swallows errors: it is asked after each write. */
    private record PrintStreamChannel(PrintStream out) implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            byte[] piece = new byte[Math.min(n, 64 * 1024)];
            while (src.hasRemaining()) {
                int length = Math.min(src.remaining(), piece.length);
                src.get(piece, 0, length);
                out.write(piece, 0, length);
            }
            out.flush();
            if (out.checkError()) {
                throw new IOException("standard output was closed");
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
