package org.openslx.netboot.block.qcow2;

/**
 * A run of guest bytes that all read the same way, as {@link ClusterMap} finds it: from the
 * file, as zeros, or out of one compressed cluster.
 */
sealed interface Extent {
    /** Guest bytes this extent covers, starting at the offset it was looked up for. */
    long length();

    /** Stored uncompressed: the bytes are at {@code hostOffset} in the file, contiguously. */
    record Data(long hostOffset, long length) implements Extent {
    }

    /** Reads as zeros: unallocated (no backing file), or a zero cluster or subcluster. */
    record Zero(long length) implements Extent {
    }

    /**
     * Part of a compressed cluster.
     *
     * @param guestClusterOffset where the cluster starts in the guest, for messages
     * @param hostOffset where the compressed bytes start in the file (not aligned)
     * @param compressedLength upper bound of the compressed bytes (whole 512-byte sectors)
     * @param offsetInCluster where this extent starts inside the decompressed cluster
     * @param length bytes of the decompressed cluster this extent covers
     */
    record Compressed(long guestClusterOffset, long hostOffset, int compressedLength,
            int offsetInCluster, long length) implements Extent {
    }
}
