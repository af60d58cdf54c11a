package org.openslx.netboot.dnbd3.client;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The CRC-32 of each hash block's share of one read, computed while the read is still arriving:
 * the reader feeds each of its requests in order as it completes, while the later ones are
 * still on the wire. Checking a 16 MiB read after it completed took a second pass over memory
 * that had left the CPU cache, in series with the transfer; this way the work overlaps with the
 * transfer and touches each piece while it is still cached.
 */
final class ReadCrcs {
    private final long hashBlockSize;
    private final long end;
    private final long firstBlock;
    private final int[] crcs;
    private final CRC32 running = new CRC32();
    private long next;

    /** For a read of {@code length} bytes (more than 0) at image offset {@code offset}. */
    ReadCrcs(long offset, int length, long hashBlockSize) {
        this.hashBlockSize = hashBlockSize;
        this.end = offset + length;
        this.firstBlock = offset / hashBlockSize;
        this.crcs = new int[(int) ((end - 1) / hashBlockSize - firstBlock + 1)];
        this.next = offset;
    }

    /** Adds the next piece of the read (all of {@code piece}, from position 0), in order. */
    void add(ByteBuffer piece) {
        int at = 0;
        int length = piece.capacity();
        if (length > end - next) {
            throw new IllegalArgumentException("piece of " + length + " bytes runs past the end of the read");
        }
        while (at < length) {
            long blockEnd = (next / hashBlockSize + 1) * hashBlockSize;
            int n = (int) Math.min(length - at, blockEnd - next);
            running.update(piece.slice(at, n));
            at += n;
            next += n;
            if (next == blockEnd || next == end) {
                crcs[(int) ((next - 1) / hashBlockSize - firstBlock)] = (int) running.getValue();
                running.reset();
            }
        }
    }

    /** Whether every byte of the read has been added. */
    boolean complete() {
        return next == end;
    }

    /**
     * The CRC-32 of the part of the read that lies in hash block {@code block} (after
     * {@link #complete}).
     */
    int crcOf(long block) {
        if (!complete()) {
            throw new IllegalStateException("the read is not complete");
        }
        return crcs[(int) (block - firstBlock)];
    }
}
