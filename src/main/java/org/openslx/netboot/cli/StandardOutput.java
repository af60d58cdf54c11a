package org.openslx.netboot.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

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
