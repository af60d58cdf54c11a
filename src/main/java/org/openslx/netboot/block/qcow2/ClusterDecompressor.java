package org.openslx.netboot.block.qcow2;

/**
 * Turns the bytes of one compressed cluster into the cluster. Implementations are thread-safe:
 * they keep a small pool of native or table state instead of one shared instance.
 */
sealed interface ClusterDecompressor permits DeflateDecompressor, ZstdClusterDecompressor {

    /**
     * Fills {@code out[offset, offset + length)} (one whole cluster) from
     * {@code input[0, inputLength)}. Bytes after the end of the
     * compressed stream are ignored: qemu pads to whole sectors, and the last sector may hold the
     * start of the next compressed cluster.
     *
     * @return null on success, else why the data is not a valid compressed cluster
     */
    String decompress(byte[] input, int inputLength, byte[] out, int offset, int length);

    static ClusterDecompressor of(Compression compression) {
        return switch (compression) {
            case ZLIB -> new DeflateDecompressor();
            case ZSTD -> new ZstdClusterDecompressor();
        };
    }
}
