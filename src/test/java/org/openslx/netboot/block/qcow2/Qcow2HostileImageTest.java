package org.openslx.netboot.block.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openslx.netboot.block.ExternalCommand.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.BytesSource;
import org.openslx.netboot.block.Sources;

/**
 * Corrupt, hostile and unsupported images: each ends in an IOException naming the field and
 * where it is, never in a hang, an OutOfMemoryError or bytes from outside the file.
 */
class Qcow2HostileImageTest {
    private static final int CLUSTER = 64 * 1024;
    private static final String NAME = "hostile.qcow2";

    @TempDir
    static Path dir;

    /** A v3 image: cluster 0 data, cluster 1 compressed, cluster 2 a zero cluster. */
    private static byte[] base;
    private static long l1Offset;
    private static long l2Offset;

    @BeforeAll
    static void makeBaseImage() throws IOException {
        Path image = dir.resolve("base.qcow2");
        Qcow2Corpus.create(image, "cluster_size=65536", 4L << 20);
        Qcow2Corpus.io(image, java.util.List.of("write -P 0xa1 0 64k", "write -c -P 0xb2 64k 64k",
                "write -z 128k 64k"));
        base = Files.readAllBytes(image);
        l1Offset = getLong(base, 40);
        l2Offset = getLong(base, l1Offset) & 0x00ff_ffff_ffff_fe00L;
        assertThat(getLong(base, l2Offset + 8) >>> 62 & 1).as("cluster 1 is compressed").isEqualTo(1);
    }

    @Test
    void theUntouchedBaseImageReadsCleanly() throws IOException {
        assertThat(readAll(base.clone())).startsWith((byte) 0xa1);
    }

    @Test
    void truncatedHeaderIsRefusedNamingTheHeader() {
        assertFails(Arrays.copyOf(base, 50), "truncated header", "50 bytes");
        assertFails(Arrays.copyOf(base, 90), "truncated header", "needs 104");
    }

    @Test
    void clusterBitsOutOfRangeIsRefusedNamingTheField() {
        for (int bits : new int[] {0, 8, 22, 64, -1}) {
            byte[] image = base.clone();
            putInt(image, 20, bits);
            assertFails(image, "cluster_bits " + Integer.toUnsignedString(bits), "header offset 0x14",
                    "out of range");
        }
    }

    @Test
    void virtualSizeThatOverflowsIsRefused() {
        byte[] image = base.clone();
        putLong(image, 24, -1L);
        assertFails(image, "size 18446744073709551615", "header offset 0x18", "overflows");
    }

    @Test
    void virtualSizeNeedingAnL1TableBeyondQemusLimitIsRefused() {
        byte[] image = base.clone();
        putLong(image, 24, 1L << 62);
        assertFails(image, "size 4611686018427387904", "header offset 0x18", "32 MiB");
    }

    @Test
    void l1TableFarTooLargeIsRefusedBeforeAllocating() {
        byte[] image = base.clone();
        putInt(image, 36, -1);
        assertFails(image, "l1_size 4294967295", "header offset 0x24", "far too large");
    }

    @Test
    void l1TableTooSmallForTheVirtualSizeIsRefused() {
        byte[] image = base.clone();
        putLong(image, 24, 1L << 40); // 1 TiB needs 2048 L1 entries; the image has 1
        assertFails(image, "l1_size 1", "too small", "needs 2048");
    }

    @Test
    void l1TableOffsetPastTheEndOfTheFileIsRefused() {
        byte[] image = base.clone();
        putLong(image, 40, 1L << 40);
        assertFails(image, "l1_table_offset 0x10000000000", "header offset 0x28", "past the end of the file");
    }

    @Test
    void l1TableOffsetNotClusterAlignedIsRefused() {
        byte[] image = base.clone();
        putLong(image, 40, l1Offset + 8);
        assertFails(image, "l1_table_offset", "not aligned");
    }

    @Test
    void l2TableOffsetPastTheEndOfTheFileIsReportedWithGuestOffset() {
        byte[] image = base.clone();
        putLong(image, l1Offset, (1L << 63) | (1L << 40));
        assertFails(image, NAME + ": L2 table offset 0x10000000000 in L1 entry 0 for guest offset 0x0",
                "lies past the end of the file (size " + image.length + ")");
    }

    @Test
    void l2TableOffsetNotAlignedIsReported() {
        byte[] image = base.clone();
        putLong(image, l1Offset, l2Offset + 512);
        assertFails(image, "L2 table offset", "not aligned");
    }

    @Test
    void dataClusterOffsetPastTheEndOfTheFileIsReported() {
        byte[] image = base.clone();
        putLong(image, l2Offset, (1L << 63) | (1L << 40));
        assertFails(image, "data cluster offset 0x10000000000 for guest offset 0x0",
                "past the end of the file");
    }

    @Test
    void dataClusterOffsetNotAlignedIsReported() {
        byte[] image = base.clone();
        putLong(image, l2Offset, (1L << 63) | (getLong(image, l2Offset) & 0x00ff_ffff_ffff_fe00L) + 512);
        assertFails(image, "data cluster offset", "for guest offset 0x0", "not aligned");
    }

    @Test
    void compressedClusterOffsetPastTheEndOfTheFileIsReported() {
        byte[] image = base.clone();
        long entry = getLong(image, l2Offset + 8);
        long sectorsAndFlag = entry & ~((1L << 54) - 1); // keep the size field and flag bits
        putLong(image, l2Offset + 8, sectorsAndFlag | (1L << 40));
        assertFails(image, "compressed cluster offset 0x10000000000 for guest offset 0x10000",
                "past the end of the file");
    }

    @Test
    void corruptCompressedDataIsReportedNotReturned() {
        byte[] image = base.clone();
        long host = getLong(image, l2Offset + 8) & ((1L << 54) - 1);
        Arrays.fill(image, (int) host, (int) host + 64, (byte) 0xff);
        assertFails(image, "compressed cluster at offset 0x" + Long.toHexString(host),
                "for guest offset 0x10000", "is corrupt");
    }

    @Test
    void zeroFlagInAVersion2ImageIsReported() throws IOException {
        Path image = dir.resolve("v2.qcow2");
        Qcow2Corpus.create(image, "compat=0.10", 4L << 20);
        Qcow2Corpus.io(image, java.util.List.of("write -P 0x11 0 64k"));
        byte[] bytes = Files.readAllBytes(image);
        long l2 = getLong(bytes, getLong(bytes, 40)) & 0x00ff_ffff_ffff_fe00L;
        putLong(bytes, l2, getLong(bytes, l2) | 1);
        assertFails(bytes, "zero flag", "version 2");
    }

    @Test
    void refcountTableFieldsThatCannotBeRightAreReported() {
        byte[] unaligned = base.clone();
        putLong(unaligned, 48, getLong(base, 48) + 8);
        assertFails(unaligned, "refcount_table_offset", "header offset 0x30", "not aligned");
        byte[] pastEnd = base.clone();
        putLong(pastEnd, 48, 1L << 40);
        assertFails(pastEnd, "refcount_table_offset 0x10000000000", "past the end of the file");
        byte[] none = base.clone();
        putInt(none, 56, 0);
        assertFails(none, "refcount_table_clusters 0", "header offset 0x38");
        byte[] huge = base.clone();
        putInt(huge, 56, -1);
        assertFails(huge, "refcount_table_clusters 4294967295", "far too large");
    }

    @Test
    void snapshotTableFieldsThatCannotBeRightAreReported() {
        byte[] many = base.clone();
        putInt(many, 60, 1 << 20);
        assertFails(many, "nb_snapshots 1048576", "header offset 0x3c");
        byte[] pastEnd = base.clone();
        putInt(pastEnd, 60, 1);
        putLong(pastEnd, 64, 1L << 40);
        assertFails(pastEnd, "snapshots_offset 0x10000000000", "past the end of the file");
    }

    @Test
    void headerLengthOutOfRangeIsReported() {
        for (int length : new int[] {3, 100, 105, CLUSTER + 8, -8}) {
            byte[] image = base.clone();
            putInt(image, 100, length);
            assertFails(image, "header_length " + Integer.toUnsignedString(length), "header offset 0x64");
        }
    }

    @Test
    void unsupportedVersionIsReported() {
        for (int version : new int[] {1, 4, -1}) {
            byte[] image = base.clone();
            putInt(image, 4, version);
            assertFails(image, "version " + Integer.toUnsignedString(version), "header offset 0x4",
                    "not supported");
        }
    }

    @Test
    void unknownIncompatibleFeatureIsRefusedNamingTheBit() {
        byte[] image = base.clone();
        putLong(image, 72, getLong(image, 72) | (1L << 20));
        assertFails(image, "incompatible feature bit 20", "incompatible_features");
    }

    @Test
    void unknownCompressionTypeIsRefused() {
        byte[] image = base.clone();
        putLong(image, 72, getLong(image, 72) | Qcow2Header.INCOMPATIBLE_COMPRESSION_TYPE);
        image[104] = 7;
        assertFails(image, "compression_type 7", "header offset 0x68", "unknown");
    }

    @Test
    void subclusterBothAllocatedAndZeroIsReported() throws IOException {
        Path image = dir.resolve("extended.qcow2");
        Qcow2Corpus.create(image, "extended_l2=on", 4L << 20);
        Qcow2Corpus.io(image, java.util.List.of("write -P 0x11 0 2k"));
        byte[] bytes = Files.readAllBytes(image);
        long l2 = getLong(bytes, getLong(bytes, 40)) & 0x00ff_ffff_ffff_fe00L;
        putLong(bytes, l2 + 8, getLong(bytes, l2 + 8) | (1L << 32)); // subcluster 0: allocated and zero
        assertFails(bytes, "subcluster bitmap", "guest offset 0x0", "both allocated and zero");
    }

    @Test
    void imageCutShortIsReportedNotZeroFilled() {
        // Cut through the data cluster: its start stays inside, the compressed one falls out.
        long dataHost = getLong(base, l2Offset) & 0x00ff_ffff_ffff_fe00L;
        long compressedHost = getLong(base, l2Offset + 8) & ((1L << 54) - 1);
        long cut = Math.max(dataHost, compressedHost) - 1;
        byte[] image = Arrays.copyOf(base, (int) Math.max(cut, l2Offset + CLUSTER));
        assertThatThrownBy(() -> readAll(image)).isInstanceOf(IOException.class)
                .hasMessageContaining("past the end of the file");
    }

    @Test
    void readsOutsideTheVirtualDiskAreRefused() throws IOException {
        try (BlockSource source = Qcow2Source.open(new BytesSource(base.clone(), NAME), Qcow2Options.DEFAULTS)) {
            assertThatThrownBy(() -> source.read(ByteBuffer.allocate(2), (4L << 20) - 1))
                    .isInstanceOf(IOException.class).hasMessageContaining("4194303+2");
        }
    }

    @Test
    void backingFileIsRefusedNamingIt() {
        Path backing = dir.resolve("base-for-backing.qcow2");
        Path overlay = dir.resolve("overlay.qcow2");
        Qcow2Corpus.create(backing, "cluster_size=65536", 4L << 20);
        run("qemu-img", "create", "-q", "-f", "qcow2", "-b", backing.toString(), "-F", "qcow2",
                overlay.toString());
        assertThatThrownBy(() -> Sources.open(overlay.toString(), null)).isInstanceOf(IOException.class)
                .hasMessageContaining("backing file (" + backing + ")")
                .hasMessageContaining("not supported");
    }

    @Test
    void externalDataFileIsRefusedNamingIt() {
        Path image = dir.resolve("with-data-file.qcow2");
        Path data = dir.resolve("data.raw");
        Qcow2Corpus.create(image, "data_file=" + data, 4L << 20);
        assertThatThrownBy(() -> Sources.open(image.toString(), null)).isInstanceOf(IOException.class)
                .hasMessageContaining("external data file (" + data + ")");
    }

    @Test
    void encryptedImageIsRefused() {
        byte[] aes = base.clone();
        putInt(aes, 32, 1); // crypt_method: AES, which qemu-img no longer creates
        assertFails(aes, "is encrypted (AES, crypt_method at header offset 0x20)", "not supported");

        Path image = dir.resolve("encrypted.qcow2");
        try {
            run("qemu-img", "create", "-q", "-f", "qcow2", "--object", "secret,id=sec0,data=123456",
                    "-o", "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=100",
                    image.toString(), "4M");
        } catch (AssertionError e) {
            // qemu-img times its key derivation and gives up on a machine too busy to measure.
            Assumptions.assumeFalse(e.getMessage().contains("Unable to get accurate CPU usage"), e.getMessage());
            throw e;
        }
        assertThatThrownBy(() -> Sources.open(image.toString(), null)).isInstanceOf(IOException.class)
                .hasMessageContaining("encrypted (LUKS");
    }

    /** Opens and reads the whole image; the failure must be an IOException with all the parts. */
    private static void assertFails(byte[] image, String... messageParts) {
        assertThatThrownBy(() -> readAll(image)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(NAME + ": ")
                .satisfies(e -> {
                    for (String part : messageParts) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }

    private static byte[] readAll(byte[] image) throws IOException {
        try (BlockSource source = Qcow2Source.open(new BytesSource(image, NAME), Qcow2Options.DEFAULTS)) {
            ByteBuffer all = ByteBuffer.allocate((int) source.size());
            source.read(all, 0);
            return all.array();
        }
    }

    static long getLong(byte[] bytes, long offset) {
        return ByteBuffer.wrap(bytes).getLong((int) offset);
    }

    static void putLong(byte[] bytes, long offset, long value) {
        ByteBuffer.wrap(bytes).putLong((int) offset, value);
    }

    static void putInt(byte[] bytes, long offset, int value) {
        ByteBuffer.wrap(bytes).putInt((int) offset, value);
    }
}
