package org.openslx.netboot.dnbd3.client;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/**
 * Checks data that passes through the client against the server's CRC list, 16 MiB hash block
 * by hash block (the reference clients never do).
 *
 * <p>A read that covers a whole hash block is checked before the caller gets it: if the CRC is
 * wrong, the servers that delivered it are shut out for a while, the block is read again from
 * another server, and the caller only ever sees data that passed. Blocks that arrive in pieces
 * (sequential reads smaller than 16 MiB, in any order) are put together as CRCs by the
 * {@link HashBlockAssembler} and checked when complete; the earlier pieces have then already gone
 * to their callers, so a failure is reported loudly (naming the byte range), the block is fetched
 * again from another server to learn whether the server or the list was wrong, and later reads
 * go to a server that delivers correct data.
 */
final class IntegrityChecker {
    private static final Logger LOG = System.getLogger("org.openslx.netboot.dnbd3.client");

    /** Reads a range again (through the normal failover path); returns who delivered it. */
    interface Refetch {
        Set<ServerAddress> read(long offset, ByteBuffer target) throws IOException;
    }

    private final String source;
    private final CrcList list;
    private final long imageSize;
    private final ConnectionManager manager;
    private final Refetch refetch;
    private final HashBlockAssembler assembler;
    private final LongAdder verified = new LongAdder();
    private final LongAdder failed = new LongAdder();

    IntegrityChecker(String source, CrcList list, long imageSize, ConnectionManager manager, Refetch refetch) {
        this.source = source;
        this.list = list;
        this.imageSize = imageSize;
        this.manager = manager;
        this.refetch = refetch;
        this.assembler = new HashBlockAssembler(Dnbd3Protocol.HASH_BLOCK_SIZE, imageSize);
    }

    long verified() {
        return verified.sum();
    }

    long failed() {
        return failed.sum();
    }

    /**
     * Checks the data of a finished read ({@code data}: position 0, the read's bytes, which
     * landed at {@code offset}); may replace whole hash blocks in it with a good copy.
     *
     * @throws IOException if a whole block fails its check with every server's data
     */
    void check(long offset, ByteBuffer data, Set<ServerAddress> deliveredBy) throws IOException {
        check(offset, data, deliveredBy, null);
    }

    /**
     * Like {@link #check(long, ByteBuffer, Set)}, with the CRCs of the read's pieces already
     * computed while it arrived ({@code crcs}; null or incomplete: computed here).
     */
    void check(long offset, ByteBuffer data, Set<ServerAddress> deliveredBy, ReadCrcs crcs) throws IOException {
        boolean known = crcs != null && crcs.complete();
        long end = offset + data.capacity();
        long blockSize = Dnbd3Protocol.HASH_BLOCK_SIZE;
        for (long blockStart = offset / blockSize * blockSize; blockStart < end; blockStart += blockSize) {
            int block = (int) (blockStart / blockSize);
            long blockEnd = Math.min(blockStart + blockSize, imageSize);
            long pieceStart = Math.max(blockStart, offset);
            long pieceEnd = Math.min(blockEnd, end);
            ByteBuffer piece = data.slice((int) (pieceStart - offset), (int) (pieceEnd - pieceStart));
            int crc = known ? crcs.crcOf(block) : CrcList.crcOf(piece);
            if (pieceStart == blockStart && pieceEnd == blockEnd) {
                checkWhole(block, blockStart, piece, crc, deliveredBy);
            } else {
                HashBlockAssembler.Assembled done = assembler.add(pieceStart, pieceEnd, crc, deliveredBy);
                if (done != null) {
                    checkAssembled(done, blockStart, blockEnd);
                }
            }
        }
    }

    /** {@code crc}: of {@code data} as delivered; copies fetched again are checked here. */
    private void checkWhole(int block, long blockStart, ByteBuffer data, int crc, Set<ServerAddress> deliveredBy)
            throws IOException {
        Set<ServerAddress> tried = new LinkedHashSet<>();
        Set<ServerAddress> from = deliveredBy;
        while (true) {
            if ((tried.isEmpty() ? crc : CrcList.crcOf(data)) == list.blockCrc(block)) {
                verified.increment();
                if (!tried.isEmpty()) {
                    LOG.log(Level.WARNING, "{0}: hash block {1} fetched again from {2}: this copy is correct; the reader got it",
                            source, block, names(from));
                }
                return;
            }
            failed.increment();
            boolean nothingNew = tried.containsAll(from);
            tried.addAll(from);
            if (nothingNew) {
                throw exhausted(block, blockStart, tried);
            }
            LOG.log(Level.WARNING, "{0}: hash block {1} ({2}) from {3} failed its CRC check; fetching it again from another server",
                    source, block, range(blockStart, data.capacity()), names(from));
            manager.distrust(from, "delivered hash block " + block + " with a wrong CRC");
            from = refetch.read(blockStart, data);
        }
    }

    private IOException exhausted(int block, long blockStart, Set<ServerAddress> tried) {
        return new IOException(source + ": hash block " + block + " (" + range(blockStart, Dnbd3Protocol.HASH_BLOCK_SIZE)
                + ") failed its CRC check with the data of every server that answered (" + names(tried)
                + "): the image or its CRC list is damaged");
    }

    private void checkAssembled(HashBlockAssembler.Assembled done, long blockStart, long blockEnd) throws IOException {
        if (done.crc() == list.blockCrc(done.block())) {
            verified.increment();
            return;
        }
        failed.increment();
        LOG.log(Level.ERROR, "{0}: hash block {1} ({2}), read in pieces from {3}, failed its CRC check: readers may have"
                + " received wrong data in this range; fetching it again from another server", source, done.block(),
                range(blockStart, blockEnd - blockStart), names(done.servers()));
        manager.distrust(done.servers(), "delivered hash block " + done.block() + " with a wrong CRC");
        ByteBuffer copy = ByteBuffer.allocate((int) (blockEnd - blockStart));
        Set<ServerAddress> from = refetch.read(blockStart, copy);
        if (list.matches(done.block(), copy.clear())) {
            LOG.log(Level.ERROR, "{0}: hash block {1}: the copy from {2} is correct, so {3} delivered wrong data",
                    source, done.block(), names(from), names(done.servers()));
        } else {
            LOG.log(Level.ERROR, "{0}: hash block {1}: the copy from {2} fails the check too; the image or its CRC"
                    + " list is damaged", source, done.block(), names(from));
        }
    }

    private static String names(Set<ServerAddress> servers) {
        return String.join(", ", servers.stream().map(ServerAddress::toString).toList());
    }

    private static String range(long start, long length) {
        return "bytes " + start + " to " + (start + length - 1);
    }
}
