package org.openslx.netboot.block.qcow2;

import static org.openslx.netboot.block.qcow2.ImageFile.hex;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads compressed clusters: fetches the compressed bytes (a sector-granular upper bound, cut at
 * the end of the file), decompresses them, and keeps recently used clusters so that small reads
 * walking through one cluster decompress it once.
 */
final class CompressedClusterReader {
    private final ImageFile file;
    private final ClusterDecompressor decompressor;
    private final int clusterSize;
    private final BoundedCache<byte[]> clusters;

    CompressedClusterReader(ImageFile file, Qcow2Header header, long cacheBytes) {
        this.file = file;
        this.decompressor = ClusterDecompressor.of(header.compression());
        this.clusterSize = header.clusterSize();
        this.clusters = new BoundedCache<>((int) Math.clamp(cacheBytes / clusterSize, 2, 1 << 16));
    }

    /** Puts the extent's part of its decompressed cluster into {@code dst}. */
    void read(Extent.Compressed extent, ByteBuffer dst) throws IOException {
        int length = (int) extent.length();
        if (extent.offsetInCluster() == 0 && length == clusterSize) {
            // Read whole: decompress straight into the caller's buffer; caching would only evict.
            if (dst.hasArray()) {
                decompress(extent, dst.array(), dst.arrayOffset() + dst.position());
                dst.position(dst.position() + length);
            } else {
                dst.put(decompress(extent));
            }
            return;
        }
        byte[] cluster = clusters.get(extent.hostOffset(), key -> decompress(extent));
        dst.put(cluster, extent.offsetInCluster(), length);
    }

    private byte[] decompress(Extent.Compressed extent) throws IOException {
        byte[] cluster = new byte[clusterSize];
        decompress(extent, cluster, 0);
        return cluster;
    }

    private void decompress(Extent.Compressed extent, byte[] out, int offset) throws IOException {
        long host = extent.hostOffset();
        if (host >= file.size()) {
            throw file.error("compressed cluster offset " + hex(host) + " for guest offset "
                    + hex(extent.guestClusterOffset()) + " lies past the end of the file (size "
                    + file.size() + ")");
        }
        // The length in the L2 entry counts whole sectors; the last one may be cut by the file end.
        int available = (int) Math.min(extent.compressedLength(), file.size() - host);
        byte[] input = file.read(host, available, "compressed cluster");
        String problem = decompressor.decompress(input, available, out, offset, clusterSize);
        if (problem != null) {
            throw file.error("compressed cluster at offset " + hex(host) + " for guest offset "
                    + hex(extent.guestClusterOffset()) + " is corrupt: " + problem);
        }
    }
}
