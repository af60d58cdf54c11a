package org.openslx.netboot.block.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.openslx.netboot.block.BlockSource;

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
 * caches lock only around their maps, never while reading or decompressing.
 */
public final class Qcow2Source implements BlockSource {
    private static final System.Logger LOG = System.getLogger(Qcow2Source.class.getName());
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
        ImageFile file = new ImageFile(image);
        Qcow2Header header = Qcow2HeaderReader.read(file);
        if (header.corrupt()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: qemu marked this image corrupt; reading it anyway,"
                    + " but check it with qemu-img check", file.name());
        }
        L1Table l1 = L1Table.load(file, header);
        return new Qcow2Source(file, header,
                new ClusterMap(file, header, l1, options.l2CacheBytes()),
                new CompressedClusterReader(file, header, options.clusterCacheBytes()));
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
                case Extent.Compressed part -> {
                    compressed.read(part, dst);
                    guest += part.length();
                }
            }
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
