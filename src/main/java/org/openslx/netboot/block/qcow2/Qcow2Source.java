package org.openslx.netboot.block.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.openslx.netboot.block.Allocation;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileMapped;

/**
 * The guest view of a qcow2 image: a filter over any source holding the image file (a local
 * file, a dnbd3 stream).
 *
 * <p>Reads versions 2 and 3, clusters of 512 B to 2 MiB, unallocated and zero clusters, zero and
 * unallocated subclusters (extended L2), deflate- and zstd-compressed clusters, images with
 * internal snapshots (the active state) and dirty images (lazy refcounts; refcounts are not
 * needed for reading). Refuses, naming the feature: backing files, external data files,
 * encryption and unknown incompatible features.
 *
 * <p>Capabilities: read-only, so multi-connection safe. Concurrent reads run in parallel: the
 * caches lock only around their maps, never while reading or decompressing. File-mapped where
 * the image is a file and the range holds no compressed clusters: exports then send the data
 * clusters straight from the file.
 */
public final class Qcow2Source implements BlockSource, FileMapped {
    private static final System.Logger LOG = System.getLogger(Qcow2Source.class.getName());
    /**
     * Pieces smaller than this on average are not worth a system call each: {@link #piecesOf}
     * then lets the caller copy instead (images with 512-byte clusters, fragmented ones).
     */
    private static final int MIN_AVERAGE_PIECE_BYTES = 16 * 1024;
    /** Cluster map lookups one {@link #allocation} call joins at most. */
    private static final int MAX_LOOKUPS_PER_RUN = 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final ImageFile file;
    private final Qcow2Header header;
    private final ClusterMap map;
    private final CompressedClusterReader compressed;

    private Qcow2Source(ImageFile file, Qcow2Header header, ClusterMap map,
            CompressedClusterReader compressed) {
        this.file = file;
        this.header = header;
        this.map = map;
        this.compressed = compressed;
    }

    /**
     * Opens the image in {@code image}. On success the new source owns {@code image} and closes
     * it; on failure the caller still owns it.
     */
    public static Qcow2Source open(BlockSource image, Qcow2Options options) throws IOException {
        return open(image, options, null);
    }

    /** As {@link #open(BlockSource, Qcow2Options)}, with a given decoder (tests compare them). */
    static Qcow2Source open(BlockSource image, Qcow2Options options, ClusterDecompressor decompressor)
            throws IOException {
        ImageFile file = new ImageFile(image);
        Qcow2Header header = Qcow2HeaderReader.read(file);
        if (header.corrupt()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: qemu marked this image corrupt; reading it anyway,"
                    + " but check it with qemu-img check", file.name());
        }
        L1Table l1 = L1Table.load(file, header);
        return new Qcow2Source(file, header,
                new ClusterMap(file, header, l1, options.l2CacheBytes()),
                new CompressedClusterReader(file, header, options.clusterCacheBytes(),
                        decompressor != null ? decompressor : Decompressors.of(header.compression())));
    }

    /** Whether {@code image} starts with the qcow2 magic. */
    public static boolean hasMagic(BlockSource image) throws IOException {
        if (image.size() < 4) {
            return false;
        }
        ByteBuffer magic = ByteBuffer.allocate(4);
        image.read(magic, 0);
        return magic.getInt(0) == Qcow2Header.MAGIC;
    }

    public Qcow2Header header() {
        return header;
    }

    /** The internal snapshots, read from the snapshot table now. */
    public List<Qcow2Snapshot> snapshots() throws IOException {
        return SnapshotTable.read(file, header);
    }

    /** The source holding the image file. */
    public BlockSource image() {
        return file.source();
    }

    @Override
    public long size() {
        return header.size();
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        checkRange(offset, dst.remaining());
        long guest = offset;
        Extent next = null;
        while (dst.hasRemaining()) {
            Extent extent = next != null ? next : map.extentAt(guest, dst.remaining());
            next = null;
            switch (extent) {
                case Extent.Data data -> {
                    // Join runs that are contiguous in the file into one read of the source below.
                    long length = data.length();
                    while (length < dst.remaining()) {
                        Extent after = map.extentAt(guest + length, dst.remaining() - length);
                        if (after instanceof Extent.Data more
                                && more.hostOffset() == data.hostOffset() + length) {
                            length += more.length();
                        } else {
                            next = after;
                            break;
                        }
                    }
                    readFromFile(dst, data.hostOffset(), (int) length);
                    guest += length;
                }
                case Extent.Zero zero -> {
                    fillZeros(dst, (int) zero.length());
                    guest += zero.length();
                }
                case Extent.Compressed first -> {
                    // Gather the whole run of compressed clusters: they are decoded together.
                    List<Extent.Compressed> run = new ArrayList<>();
                    run.add(first);
                    long length = first.length();
                    while (length < dst.remaining()) {
                        Extent after = map.extentAt(guest + length, dst.remaining() - length);
                        if (after instanceof Extent.Compressed more) {
                            run.add(more);
                            length += more.length();
                        } else {
                            next = after;
                            break;
                        }
                    }
                    compressed.read(run, dst);
                    guest += length;
                }
            }
        }
    }

    /**
     * Unallocated clusters and zero clusters (and subclusters) are holes; data and compressed
     * clusters are data. A run joins at most {@link #MAX_LOOKUPS_PER_RUN} cluster map lookups,
     * so a query over a huge range of tiny clusters stays cheap.
     */
    @Override
    public Allocation allocation(long offset, long maxLength) throws IOException {
        checkRange(offset, maxLength);
        if (maxLength <= 0) {
            throw new IOException(describe() + ": allocation of an empty range at offset " + offset);
        }
        Extent first = map.extentAt(offset, maxLength);
        boolean hole = first instanceof Extent.Zero;
        long length = first.length();
        for (int lookups = 1; length < maxLength && lookups < MAX_LOOKUPS_PER_RUN; lookups++) {
            Extent next = map.extentAt(offset + length, maxLength - length);
            if ((next instanceof Extent.Zero) != hole) {
                break;
            }
            length += next.length();
        }
        return new Allocation(length, hole);
    }

    @Override
    public List<Piece> piecesOf(long offset, long length) throws IOException {
        checkRange(offset, length);
        if (!(file.source() instanceof FileMapped below)) {
            return null;
        }
        long maxPieces = Math.max(8, length / MIN_AVERAGE_PIECE_BYTES);
        List<Piece> pieces = new ArrayList<>();
        long guest = offset;
        long end = offset + length;
        while (guest < end) {
            Extent extent = map.extentAt(guest, end - guest);
            switch (extent) {
                case Extent.Compressed _ -> {
                    return null;
                }
                case Extent.Zero zero -> append(pieces, new Zeros(zero.length()));
                case Extent.Data data -> {
                    // As in readFromFile: the part of a data cluster past the file end is zeros.
                    long inFile = Math.clamp(file.size() - data.hostOffset(), 0, data.length());
                    if (inFile > 0) {
                        List<Piece> stored = below.piecesOf(data.hostOffset(), inFile);
                        if (stored == null) {
                            return null;
                        }
                        stored.forEach(piece -> append(pieces, piece));
                    }
                    if (inFile < data.length()) {
                        append(pieces, new Zeros(data.length() - inFile));
                    }
                }
            }
            if (pieces.size() > maxPieces) {
                return null;
            }
            guest += extent.length();
        }
        return pieces;
    }

    /** Adds {@code piece}, joined to the last one if it continues it. */
    private static void append(List<Piece> pieces, Piece piece) {
        Piece joined = pieces.isEmpty() ? null : switch (pieces.getLast()) {
            case Zeros last when piece instanceof Zeros more -> new Zeros(last.length() + more.length());
            case InFile last when piece instanceof InFile more && last.file() == more.file()
                    && last.position() + last.length() == more.position() ->
                    new InFile(last.file(), last.position(), last.length() + more.length());
            default -> null;
        };
        if (joined != null) {
            pieces.set(pieces.size() - 1, joined);
        } else {
            pieces.add(piece);
        }
    }

    private void readFromFile(ByteBuffer dst, long hostOffset, int length) throws IOException {
        // The cluster map checked that each cluster starts inside the file; the last one may
        // end past it (see ClusterMap.checkDataCluster), and those bytes read as zeros.
        int inFile = (int) Math.clamp(file.size() - hostOffset, 0, length);
        if (inFile > 0) {
            int start = dst.position();
            file.source().read(dst.slice(start, inFile), hostOffset);
            dst.position(start + inFile);
        }
        fillZeros(dst, length - inFile);
    }

    private static void fillZeros(ByteBuffer dst, int length) {
        if (dst.hasArray()) {
            int from = dst.arrayOffset() + dst.position();
            Arrays.fill(dst.array(), from, from + length, (byte) 0);
            dst.position(dst.position() + length);
            return;
        }
        for (int left = length; left > 0; ) {
            int n = Math.min(left, ZEROS.capacity());
            dst.put(ZEROS.slice(0, n));
            left -= n;
        }
    }

    @Override
    public String describe() {
        return file.name();
    }

    @Override
    public void close() throws IOException {
        file.source().close();
    }
}
