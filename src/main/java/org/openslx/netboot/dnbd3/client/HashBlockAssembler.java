package org.openslx.netboot.dnbd3.client;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Puts 16 MiB hash blocks together from the pieces that reads deliver, as CRCs only: each piece
 * comes with its CRC-32, adjacent pieces are merged with {@link Crc32Combine}, and when the
 * pieces of a block cover it entirely its CRC is handed back for checking. Reads may arrive in
 * any order and from many threads (an NBD export answers in parallel). Overlapping pieces (a
 * range read twice) are ignored. Memory stays small: at most {@value #MAX_TRACKED_BLOCKS} blocks
 * are tracked (least recently touched dropped first), each with at most
 * {@value #MAX_FRAGMENTS} separate pieces.
 */
final class HashBlockAssembler {
    static final int MAX_TRACKED_BLOCKS = 64;
    static final int MAX_FRAGMENTS = 1024;

    /** A hash block that is now complete, with the CRC-32 of its content and who delivered it. */
    record Assembled(int block, int crc, Set<ServerAddress> servers) {
    }

    private record Piece(long start, long end, int crc, Set<ServerAddress> servers) {
        Set<ServerAddress> with(Set<ServerAddress> more) {
            Set<ServerAddress> union = new HashSet<>(servers);
            union.addAll(more);
            return union;
        }
    }

    private final long hashBlockSize;
    private final long imageSize;
    private final Map<Integer, TreeMap<Long, Piece>> blocks = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, TreeMap<Long, Piece>> eldest) {
            return size() > MAX_TRACKED_BLOCKS;
        }
    };

    HashBlockAssembler(long hashBlockSize, long imageSize) {
        this.hashBlockSize = hashBlockSize;
        this.imageSize = imageSize;
    }

    /**
     * Adds the piece {@code [start, end)}, which must lie inside one hash block, with its CRC and
     * the servers its data came from.
     *
     * @return the block if this piece completed it, else null
     */
    synchronized Assembled add(long start, long end, int crc, Set<ServerAddress> servers) {
        int block = (int) (start / hashBlockSize);
        long blockStart = block * hashBlockSize;
        long blockEnd = Math.min(blockStart + hashBlockSize, imageSize);
        if (end <= start || end > blockEnd) {
            throw new IllegalArgumentException("piece " + start + ".." + end + " is not inside hash block " + block);
        }
        TreeMap<Long, Piece> pieces = blocks.computeIfAbsent(block, b -> new TreeMap<>());
        var before = pieces.floorEntry(start);
        var after = pieces.ceilingEntry(start);
        if (before != null && before.getValue().end() > start || after != null && after.getValue().start() < end) {
            return null;
        }
        Piece merged = new Piece(start, end, crc, Set.copyOf(servers));
        if (before != null && before.getValue().end() == start) {
            Piece left = pieces.remove(before.getKey());
            merged = new Piece(left.start(), end, Crc32Combine.combine(left.crc(), crc, end - start),
                    left.with(merged.servers()));
        }
        Piece right = pieces.remove(end);
        if (right != null) {
            merged = new Piece(merged.start(), right.end(),
                    Crc32Combine.combine(merged.crc(), right.crc(), right.end() - right.start()),
                    right.with(merged.servers()));
        }
        if (merged.start() == blockStart && merged.end() == blockEnd) {
            blocks.remove(block);
            return new Assembled(block, merged.crc(), merged.servers());
        }
        pieces.put(merged.start(), merged);
        if (pieces.size() > MAX_FRAGMENTS) {
            blocks.remove(block);
        }
        return null;
    }

    /** Number of blocks with pieces waiting (for tests and statistics). */
    synchronized int tracked() {
        return blocks.size();
    }
}
