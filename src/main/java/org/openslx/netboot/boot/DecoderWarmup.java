package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.block.qcow2.Qcow2Options;

/**
 * Sets up the qcow2 decoder's zstd support before the image is opened: the first zstd qcow2 a
 * JVM opens binds libzstd through the FFM API, which generates classes at run time that no AOT
 * cache holds (on the host 0.2 to 0.9 s, in the emulated client about 6 s, which lay between
 * "connected to the dnbd3 server" and "image opened"). The daemon does it while it waits for the
 * network, by opening a tiny zstd qcow2 image built in memory: an empty 4 KiB disk.
 */
final class DecoderWarmup {
    private static final int CLUSTER_BITS = 9;
    private static final int CLUSTER = 1 << CLUSTER_BITS;

    private DecoderWarmup() {
    }

    /** Opens the in-memory image and reads it once; the decoder's set-up stays for the real image. */
    static void run() throws IOException {
        try (BlockSource disk = Sources.decode(new Memory(emptyZstdImage()), Qcow2Options.DEFAULTS)) {
            disk.read(ByteBuffer.allocate(4096), 0);
        }
    }

    /**
     * A qcow2 v3 image, compression type zstd, 512-byte clusters: header, refcount table (cluster
     * 1), L1 table with its one entry unallocated (cluster 2), the refcount block counting the four
     * clusters once each (cluster 3). {@code qemu-img check} finds no error in it.
     */
    static ByteBuffer emptyZstdImage() {
        ByteBuffer image = ByteBuffer.allocate(4 * CLUSTER); // big-endian, zero-filled
        image.putInt(0, 0x514649fb); // "QFI\xfb"
        image.putInt(4, 3); // version
        image.putInt(20, CLUSTER_BITS);
        image.putLong(24, 4096); // virtual size
        image.putInt(36, 1); // l1_size
        image.putLong(40, 2L * CLUSTER); // l1_table_offset
        image.putLong(48, CLUSTER); // refcount_table_offset
        image.putInt(56, 1); // refcount_table_clusters
        image.putLong(72, 1L << 3); // incompatible features: compression type
        image.putInt(96, 4); // refcount_order
        image.putInt(100, 112); // header_length
        image.put(104, (byte) 1); // compression_type zstd; the header extensions end at 112 (zeros)
        image.putLong(CLUSTER, 3L * CLUSTER); // refcount table entry 0: the refcount block
        for (int cluster = 0; cluster < 4; cluster++) {
            image.putShort(3 * CLUSTER + 2 * cluster, (short) 1); // 16-bit refcounts (order 4)
        }
        return image;
    }

    /** A read-only source over a buffer. */
    private record Memory(ByteBuffer bytes) implements BlockSource {
        @Override
        public long size() {
            return bytes.capacity();
        }

        @Override
        public void read(ByteBuffer dst, long offset) throws IOException {
            checkRange(offset, dst.remaining());
            dst.put(bytes.slice((int) offset, dst.remaining()));
        }

        @Override
        public String describe() {
            return "in-memory zstd qcow2 (decoder warm-up)";
        }

        @Override
        public void close() {
        }
    }
}
