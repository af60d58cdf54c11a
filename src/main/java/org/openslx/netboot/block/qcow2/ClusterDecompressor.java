package org.openslx.netboot.block.qcow2;

import java.lang.foreign.MemorySegment;

/**
 * Turns the bytes of one compressed cluster into the cluster. Implementations are thread-safe
 * (they pool their native or table state) and shared by all images: {@link Decompressors}.
 */
sealed interface ClusterDecompressor
        permits InflateDecompressor, LibdeflateDecompressor, ZstdClusterDecompressor {

    /**
     * Fills all of {@code cluster} from {@code input}, which holds the compressed stream and
     * possibly more: qemu pads to whole sectors, and the last sector may hold the start of the
     * next compressed cluster. Both segments may be on or off the Java heap.
     *
     * @return null on success, else why the data is not a valid compressed cluster
     */
    String decompress(MemorySegment input, MemorySegment cluster);

    /** Which decoder this is, for logs and benchmarks, e.g. "zstd (libzstd.so.1, native)". */
    String describe();
}
