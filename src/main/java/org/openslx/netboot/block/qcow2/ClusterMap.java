package org.openslx.netboot.block.qcow2;

import static org.openslx.netboot.block.qcow2.ImageFile.hex;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Maps guest offsets to where their bytes are: the L1 table, then L2 tables read in slices
 * through a bounded cache, then the L2 entry (and, with extended L2, its subcluster bitmap).
 * Every host offset taken from an entry is checked against the file before it is used.
 */
final class ClusterMap {
    /** L2 slices are read and cached in pieces of at most this size, not whole 2 MiB tables. */
    static final int MAX_SLICE_BYTES = 64 * 1024;

    private static final long COMPRESSED_FLAG = 1L << 62;
    private static final long ZERO_FLAG = 1L;
    private static final long STANDARD_OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    private static final int SUBCLUSTERS = 32;

    private final ImageFile file;
    private final L1Table l1;
    private final BoundedCache<long[]> slices;
    private final int version;
    private final int clusterBits;
    private final int clusterSize;
    private final boolean extendedL2;
    private final int subclusterBits;
    private final int longsPerEntry;
    private final int l2Entries;
    private final int sliceBytes;
    private final int sliceEntries;
    private final int compressedSizeShift;
    private final long compressedOffsetMask;
    private final long compressedSectorsMask;

    ClusterMap(ImageFile file, Qcow2Header header, L1Table l1, long cacheBytes) {
        this.file = file;
        this.l1 = l1;
        this.version = header.version();
        this.clusterBits = header.clusterBits();
        this.clusterSize = header.clusterSize();
        this.extendedL2 = header.extendedL2();
        this.subclusterBits = clusterBits - 5;
        this.longsPerEntry = header.l2EntryBytes() / 8;
        this.l2Entries = header.l2Entries();
        this.sliceBytes = Math.min(clusterSize, MAX_SLICE_BYTES);
        this.sliceEntries = sliceBytes / header.l2EntryBytes();
        this.slices = new BoundedCache<>((int) Math.clamp(cacheBytes / sliceBytes, 4, 1 << 20));
        this.compressedSizeShift = 62 - (clusterBits - 8);
        this.compressedOffsetMask = (1L << compressedSizeShift) - 1;
        this.compressedSectorsMask = (1L << (clusterBits - 8)) - 1;
    }

    /** How many L2 slices the cache holds at most. */
    int cachedSlices() {
        return slices.capacity();
    }

    /**
     * The extent starting at {@code guestOffset}, at most {@code maxLength} bytes long. The
     * caller keeps {@code guestOffset + maxLength} inside the virtual size.
     */
    Extent extentAt(long guestOffset, long maxLength) throws IOException {
        long cluster = guestOffset >>> clusterBits;
        int l1Index = (int) (cluster / l2Entries);
        int l2Index = (int) (cluster % l2Entries);
        long l2Offset = l1.l2TableOffset(l1Index, guestOffset);
        if (l2Offset == 0) {
            long tableEnd = ((l1Index + 1L) * l2Entries) << clusterBits;
            return new Extent.Zero(Math.min(maxLength, tableEnd - guestOffset));
        }
        int slice = l2Index / sliceEntries;
        long[] entries = slices.get(l2Offset + (long) slice * sliceBytes, this::loadSlice);
        return runFrom(entries, l2Index % sliceEntries, guestOffset, maxLength);
    }

    private long[] loadSlice(long offset) throws IOException {
        ByteBuffer raw = ByteBuffer.wrap(file.read(offset, sliceBytes, "L2 table slice"));
        long[] entries = new long[sliceBytes / 8];
        raw.asLongBuffer().get(entries);
        return entries;
    }

    /**
     * The extent of entry {@code index}, grown over the following entries of the slice while
     * they read the same way (zeros, or data contiguous in the file).
     */
    private Extent runFrom(long[] entries, int index, long guestOffset, long maxLength)
            throws IOException {
        Extent first = entryExtent(entries, index, guestOffset, maxLength);
        if (first instanceof Extent.Compressed) {
            return first;
        }
        long length = first.length();
        for (int next = index + 1; next < sliceEntries && length < maxLength; next++) {
            long nextGuest = guestOffset + length;
            if ((nextGuest & (clusterSize - 1)) != 0) {
                break; // a subcluster run ended inside the cluster
            }
            Extent following = entryExtent(entries, next, nextGuest, maxLength - length);
            boolean continues = switch (first) {
                case Extent.Zero _ -> following instanceof Extent.Zero;
                case Extent.Data d -> following instanceof Extent.Data f
                        && f.hostOffset() == d.hostOffset() + length;
                case Extent.Compressed _ -> false;
            };
            if (!continues) {
                break;
            }
            length += following.length();
        }
        return switch (first) {
            case Extent.Zero _ -> new Extent.Zero(length);
            case Extent.Data d -> new Extent.Data(d.hostOffset(), length);
            case Extent.Compressed c -> c;
        };
    }

    private Extent entryExtent(long[] entries, int index, long guestOffset, long maxLength)
            throws IOException {
        long entry = entries[index * longsPerEntry];
        int inCluster = (int) (guestOffset & (clusterSize - 1));
        long toClusterEnd = clusterSize - inCluster;
        if ((entry & COMPRESSED_FLAG) != 0) {
            long host = entry & compressedOffsetMask;
            long sectors = ((entry >>> compressedSizeShift) & compressedSectorsMask) + 1;
            int compressedLength = (int) (sectors * 512 - (host & 511));
            return new Extent.Compressed(guestOffset - inCluster, host, compressedLength, inCluster,
                    Math.min(maxLength, toClusterEnd));
        }
        long host = entry & STANDARD_OFFSET_MASK;
        if (!extendedL2) {
            if ((entry & ZERO_FLAG) != 0) {
                if (version == 2) {
                    throw file.error("L2 entry " + hex(entry) + " for guest offset " + hex(guestOffset)
                            + " has the zero flag, which version 2 images cannot have");
                }
                return new Extent.Zero(Math.min(maxLength, toClusterEnd));
            }
            if (host == 0) {
                return new Extent.Zero(Math.min(maxLength, toClusterEnd));
            }
            checkDataCluster(host, guestOffset);
            return new Extent.Data(host + inCluster, Math.min(maxLength, toClusterEnd));
        }
        return subclusterExtent(entry, entries[index * longsPerEntry + 1], host, guestOffset,
                inCluster, maxLength);
    }

    private Extent subclusterExtent(long entry, long bitmap, long host, long guestOffset,
            int inCluster, long maxLength) throws IOException {
        int allocated = (int) bitmap;
        int zero = (int) (bitmap >>> 32);
        if ((allocated & zero) != 0) {
            throw file.error("subcluster bitmap " + hex(bitmap) + " of the L2 entry for guest offset "
                    + hex(guestOffset) + " marks subclusters both allocated and zero");
        }
        if (allocated != 0) {
            if (host == 0) {
                throw file.error("L2 entry " + hex(entry) + " for guest offset " + hex(guestOffset)
                        + " has allocated subclusters (bitmap " + hex(bitmap) + ") but no host offset");
            }
            checkDataCluster(host, guestOffset);
        }
        int first = inCluster >>> subclusterBits;
        int state = (allocated >>> first) & 1;
        int end = first + 1;
        while (end < SUBCLUSTERS && ((allocated >>> end) & 1) == state) {
            end++;
        }
        long length = Math.min(maxLength, ((long) end << subclusterBits) - inCluster);
        // Zero and unallocated subclusters both read as zeros: there is no backing file.
        return state == 1 ? new Extent.Data(host + inCluster, length) : new Extent.Zero(length);
    }

    private void checkDataCluster(long host, long guestOffset) throws IOException {
        if ((host & (clusterSize - 1)) != 0) {
            throw file.error("data cluster offset " + hex(host) + " for guest offset "
                    + hex(guestOffset) + " is not aligned to the cluster size " + clusterSize);
        }
        // qemu writes only the touched subclusters of a new cluster at the end of the file, so
        // a data cluster may be cut by the file end; that tail reads as zeros, as in qemu.
        if (host >= file.size()) {
            throw file.error("data cluster offset " + hex(host) + " for guest offset "
                    + hex(guestOffset) + " lies past the end of the file (size " + file.size() + ")");
        }
    }
}
