package org.openslx.netboot.block.qcow2;

/**
 * Memory the qcow2 decoder may use for caches.
 *
 * @param l2CacheBytes L2 table slices to keep; 4 MiB map 32 GiB of guest data with 64 KiB
 *     clusters (more for larger clusters)
 * @param clusterCacheBytes decompressed clusters to keep, so that reads smaller than a cluster
 *     do not decompress it again and again
 */
public record Qcow2Options(long l2CacheBytes, long clusterCacheBytes) {
    public static final long DEFAULT_L2_CACHE_BYTES = 4L << 20;
    public static final long DEFAULT_CLUSTER_CACHE_BYTES = 4L << 20;
    public static final Qcow2Options DEFAULTS =
            new Qcow2Options(DEFAULT_L2_CACHE_BYTES, DEFAULT_CLUSTER_CACHE_BYTES);

    public Qcow2Options {
        if (l2CacheBytes < 0 || clusterCacheBytes < 0) {
            throw new IllegalArgumentException("cache sizes must not be negative");
        }
    }

    public Qcow2Options withL2CacheBytes(long bytes) {
        return new Qcow2Options(bytes, clusterCacheBytes);
    }
}
