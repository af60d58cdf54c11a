package org.openslx.netboot.block.qcow2;

/** How compressed clusters are encoded: the header's compression_type field (byte 104). */
public enum Compression {
    /** Type 0, the default: raw deflate (zlib without header or checksum). */
    ZLIB("zlib"),
    /** Type 1: zstd frames, padded by qemu to whole 512-byte sectors. */
    ZSTD("zstd");

    private final String label;

    Compression(String label) {
        this.label = label;
    }

    /** The name qemu-img uses, e.g. {@code compression_type=zstd}. */
    public String label() {
        return label;
    }
}
