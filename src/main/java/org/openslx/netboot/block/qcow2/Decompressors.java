package org.openslx.netboot.block.qcow2;

/**
 * The decoder for each compression type, made once per process and shared by all images: the
 * native one where its library is installed, else the Java one. {@code -Dslx.qcow2.native=false}
 * forces the Java decoders.
 */
final class Decompressors {
    private static final System.Logger LOG = System.getLogger(Decompressors.class.getName());

    private Decompressors() {
    }

    static ClusterDecompressor of(Compression compression) {
        return switch (compression) {
            case ZLIB -> Zlib.DECODER;
            case ZSTD -> Zstd.DECODER;
        };
    }

    /** The Java decoder, whatever is installed: for tests that compare both. */
    static ClusterDecompressor javaOnly(Compression compression) {
        return switch (compression) {
            case ZLIB -> new InflateDecompressor();
            case ZSTD -> ZstdClusterDecompressor.java();
        };
    }

    private static ClusterDecompressor chosen(ClusterDecompressor decoder) {
        LOG.log(System.Logger.Level.DEBUG, "qcow2 compressed clusters: {0}", decoder.describe());
        return decoder;
    }

    // Holder classes: a library is looked for only when an image needs it.
    private static final class Zlib {
        static final ClusterDecompressor DECODER;

        static {
            InflateDecompressor zlib = new InflateDecompressor();
            LibdeflateDecompressor libdeflate = LibdeflateDecompressor.load(zlib);
            DECODER = chosen(libdeflate != null ? libdeflate : zlib);
        }
    }

    private static final class Zstd {
        static final ClusterDecompressor DECODER;

        static {
            ZstdClusterDecompressor libzstd = ZstdClusterDecompressor.libzstd();
            DECODER = chosen(libzstd != null ? libzstd : ZstdClusterDecompressor.java());
        }
    }
}
