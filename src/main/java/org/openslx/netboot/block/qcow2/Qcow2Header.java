package org.openslx.netboot.block.qcow2;

import java.util.ArrayList;
import java.util.List;

/**
 * The validated qcow2 header (docs/interop/qcow2.txt in qemu), read by {@link Qcow2HeaderReader}.
 * Only images this decoder can read get this far: no backing file, no external data file, no
 * encryption, no unknown incompatible feature.
 *
 * @param version 2 (compat=0.10) or 3 (compat=1.1)
 * @param clusterBits log2 of the cluster size, 9 (512 B) to 21 (2 MiB)
 * @param size virtual disk size in bytes
 * @param l1Size entries in the active L1 table
 * @param l1TableOffset where the active L1 table starts in the file
 * @param refcountTableOffset where the refcount table starts (not needed for reading)
 * @param refcountTableClusters clusters the refcount table occupies
 * @param snapshotCount internal snapshots in the snapshot table
 * @param snapshotsOffset where the snapshot table starts
 * @param incompatibleFeatures header bytes 72-79 (0 for version 2)
 * @param compatibleFeatures header bytes 80-87
 * @param autoclearFeatures header bytes 88-95
 * @param refcountOrder log2 of the refcount width in bits
 * @param headerLength bytes of the fixed header, 72 for version 2
 * @param compression how compressed clusters are encoded
 * @param extensions what the header extensions say
 */
public record Qcow2Header(
        int version,
        int clusterBits,
        long size,
        int l1Size,
        long l1TableOffset,
        long refcountTableOffset,
        int refcountTableClusters,
        int snapshotCount,
        long snapshotsOffset,
        long incompatibleFeatures,
        long compatibleFeatures,
        long autoclearFeatures,
        int refcountOrder,
        int headerLength,
        Compression compression,
        HeaderExtensions extensions) {

    public static final int MAGIC = 0x514649fb; // "QFI\xfb"

    public static final long INCOMPATIBLE_DIRTY = 1L;
    public static final long INCOMPATIBLE_CORRUPT = 1L << 1;
    public static final long INCOMPATIBLE_DATA_FILE = 1L << 2;
    public static final long INCOMPATIBLE_COMPRESSION_TYPE = 1L << 3;
    public static final long INCOMPATIBLE_EXTENDED_L2 = 1L << 4;
    public static final long COMPATIBLE_LAZY_REFCOUNTS = 1L;
    public static final long AUTOCLEAR_BITMAPS = 1L;
    public static final long AUTOCLEAR_DATA_FILE_RAW = 1L << 1;

    public int clusterSize() {
        return 1 << clusterBits;
    }

    public boolean extendedL2() {
        return (incompatibleFeatures & INCOMPATIBLE_EXTENDED_L2) != 0;
    }

    /** Bytes per L2 entry: 8, or 16 with extended L2 (entry plus subcluster bitmap). */
    public int l2EntryBytes() {
        return extendedL2() ? 16 : 8;
    }

    /** Entries per L2 table (one cluster). */
    public int l2Entries() {
        return clusterSize() / l2EntryBytes();
    }

    public boolean dirty() {
        return (incompatibleFeatures & INCOMPATIBLE_DIRTY) != 0;
    }

    public boolean corrupt() {
        return (incompatibleFeatures & INCOMPATIBLE_CORRUPT) != 0;
    }

    /** Features in words for {@code slx image info}, e.g. "extended_l2", "lazy_refcounts", "dirty". */
    public List<String> featureNames() {
        List<String> names = new ArrayList<>();
        if (dirty()) {
            names.add("dirty");
        }
        if (corrupt()) {
            names.add("corrupt");
        }
        if (extendedL2()) {
            names.add("extended_l2");
        }
        if ((compatibleFeatures & COMPATIBLE_LAZY_REFCOUNTS) != 0) {
            names.add("lazy_refcounts");
        }
        if (extensions.bitmapsPresent()) {
            names.add("bitmaps");
        }
        return names;
    }

    /** Guest clusters needed to cover the virtual size (rounded up, overflow-free). */
    long guestClusters() {
        return (size >>> clusterBits) + ((size & (clusterSize() - 1)) != 0 ? 1 : 0);
    }

    /** L1 entries needed to cover the virtual size. */
    long l1EntriesNeeded() {
        long clusters = guestClusters();
        int perTable = l2Entries();
        return clusters / perTable + (clusters % perTable != 0 ? 1 : 0);
    }
}
