package org.openslx.netboot.net;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.function.LongConsumer;

/**
 * Sends part of a file to a socket with {@link FileChannel#transferTo} (sendfile). On a virtual
 * thread the socket is non-blocking underneath, and transferTo then returns 0 whenever the send
 * buffer is full instead of waiting; a plain channel write does wait (it parks the virtual
 * thread). So when transferTo makes no progress, a small piece goes out as a copied write, which
 * waits for room, and sendfile resumes after it. Almost all bytes still go zero-copy.
 */
public final class ZeroCopy {
    /** Largest piece per transferTo call, so callers see progress regularly. */
    private static final long CHUNK = 8L << 20;
    /** Size of the copied piece that waits for room in the send buffer. */
    private static final int WAIT_PIECE = 8 * 1024;

    private ZeroCopy() {
    }

    /** Sends {@code count} bytes of {@code file} from {@code position}. */
    public static void send(FileChannel file, long position, long count, SocketChannel socket) throws IOException {
        send(file, position, count, socket, sent -> { });
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position}, telling {@code progress}
     * the bytes sent after each step.
     *
     * @throws EOFException if the file ends before (it shrank meanwhile)
     */
    public static void send(FileChannel file, long position, long count, SocketChannel socket, LongConsumer progress)
            throws IOException {
        long at = position;
        long end = position + count;
        ByteBuffer piece = null;
        while (at < end) {
            long n = file.transferTo(at, Math.min(end - at, CHUNK), socket);
            if (n == 0) {
                if (piece == null) {
                    piece = ByteBuffer.allocate(WAIT_PIECE);
                }
                n = copyPiece(file, at, Math.min(end - at, WAIT_PIECE), socket, piece.clear());
            }
            at += n;
            progress.accept(n);
        }
    }

    private static long copyPiece(FileChannel file, long position, long length, SocketChannel socket, ByteBuffer piece)
            throws IOException {
        piece.limit((int) length);
        while (piece.hasRemaining()) {
            if (file.read(piece, position + piece.position()) < 0) {
                throw new EOFException("file ended at byte " + (position + piece.position()) + " while sending it");
            }
        }
        piece.flip();
        while (piece.hasRemaining()) {
            socket.write(piece);
        }
        return length;
    }
}
