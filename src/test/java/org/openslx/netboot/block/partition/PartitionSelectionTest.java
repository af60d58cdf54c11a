package org.openslx.netboot.block.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openslx.netboot.block.ExternalCommand.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileMapped;
import org.openslx.netboot.block.Sources;

/**
 * {@code --partition NAME} through {@link Sources#open}: GPT name first, then filesystem label,
 * on a raw disk and on the same disk converted to qcow2; the slice reads the partition's bytes.
 */
class PartitionSelectionTest {
    @TempDir
    static Path dir;

    private static Path raw;
    private static Path qcow2;
    private static Path ext4;
    private static Path btrfs;
    private static Path xfs;

    /**
     * Partition 1 "ROOT" holds ext4 labelled "data"; partition 2 is named "data" and holds btrfs
     * labelled "other"; partition 3 is unnamed and holds xfs labelled "xfsdata" (if mkfs.xfs
     * exists); partition 4 "spare" is empty.
     */
    @BeforeAll
    static void makeDisk() {
        ext4 = TestDisks.ext4(dir, "ext4.img", "data", 8);
        btrfs = TestDisks.btrfs(dir, "btrfs.img", "other");
        xfs = TestDisks.xfs(dir, "xfs.img", "xfsdata");
        List<TestDisks.GptPart> parts = new ArrayList<>(List.of(
                new TestDisks.GptPart("ROOT", "8300", 10, ext4),
                new TestDisks.GptPart("data", "8300", 16, btrfs),
                new TestDisks.GptPart("", "8300", 32, xfs),
                new TestDisks.GptPart("spare", "8300", 2, null)));
        raw = TestDisks.gptDisk(dir, "disk.img", 64, parts);
        qcow2 = dir.resolve("disk.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", "-o", "compression_type=zstd",
                raw.toString(), qcow2.toString());
    }

    @Test
    void gptNameIsPreferredOverAFilesystemLabel() throws IOException {
        for (Path disk : List.of(raw, qcow2)) {
            assertPartitionHolds(disk, "data", btrfs, 16);
        }
    }

    @Test
    void filesystemLabelSelectsWhenNoGptNameMatches() throws IOException {
        for (Path disk : List.of(raw, qcow2)) {
            assertPartitionHolds(disk, "other", btrfs, 16);
            assertPartitionHolds(disk, "ROOT", ext4, 10);
            if (xfs != null) {
                assertPartitionHolds(disk, "xfsdata", xfs, 32);
            }
        }
    }

    @Test
    void noMatchListsThePartitionsThereAre() {
        assertThatThrownBy(() -> Sources.open(qcow2.toString(), "nope")).isInstanceOf(IOException.class)
                .hasMessageContaining("disk.qcow2: no partition is named or labelled \"nope\"")
                .hasMessageContaining("1 \"ROOT\" (ext4 label \"data\", 10 MiB)")
                .hasMessageContaining("2 \"data\" (btrfs label \"other\", 16 MiB)")
                .hasMessageContaining("4 \"spare\" (2 MiB)");
    }

    @Test
    void twoPartitionsWithTheWantedNameAreAnError() {
        Path twins = TestDisks.gptDisk(dir, "twins.img", 8, List.of(
                new TestDisks.GptPart("same", "8300", 2, null),
                new TestDisks.GptPart("same", "8300", 2, null)));
        assertThatThrownBy(() -> Sources.open(twins.toString(), "same")).isInstanceOf(IOException.class)
                .hasMessageContaining("2 partitions are named \"same\"");
    }

    @Test
    void diskWithoutPartitionTableCannotBeNarrowed() {
        assertThatThrownBy(() -> Sources.open(ext4.toString(), "data")).isInstanceOf(IOException.class)
                .hasMessageContaining("ext4.img: has no partition table");
    }

    @Test
    void sliceRefusesReadsPastThePartitionEnd() throws IOException {
        try (BlockSource slice = Sources.open(raw.toString(), "spare")) {
            assertThat(slice.size()).isEqualTo(2L << 20);
            assertThatThrownBy(() -> slice.read(ByteBuffer.allocate(2), (2L << 20) - 1))
                    .isInstanceOf(IOException.class).hasMessageContaining("partition 4 (spare)");
        }
    }

    @Test
    void partitionOfARawDiskIsFileMappedAtThePartitionOffset() throws IOException {
        try (BlockSource slice = Sources.open(raw.toString(), "ROOT")) {
            assertThat(slice).isInstanceOf(FileMapped.class);
            long offset = ((SliceSource) slice).offset();
            List<FileMapped.Piece> pieces = ((FileMapped) slice).piecesOf(4096, 8192);
            assertThat(pieces).hasSize(1);
            FileMapped.InFile piece = (FileMapped.InFile) pieces.getFirst();
            assertThat(piece.position()).isEqualTo(offset + 4096);
            assertThat(piece.length()).isEqualTo(8192);
            assertThatThrownBy(() -> ((FileMapped) slice).piecesOf(slice.size() - 1, 2))
                    .isInstanceOf(IOException.class).hasMessageContaining("partition 1 (ROOT)");
        }
        try (BlockSource slice = Sources.open(qcow2.toString(), "ROOT")) {
            assertThat(((FileMapped) slice).piecesOf(0, 1 << 20)).as("compressed clusters").isNull();
        }
    }

    /** The slice is as large as the partition and holds the filesystem image, then zeros. */
    private static void assertPartitionHolds(Path disk, String wanted, Path filesystem, int mib)
            throws IOException {
        byte[] expected = Arrays.copyOf(Files.readAllBytes(filesystem), mib << 20);
        try (BlockSource slice = Sources.open(disk.toString(), wanted)) {
            assertThat(slice.size()).as(wanted).isEqualTo((long) mib << 20);
            ByteBuffer actual = ByteBuffer.allocate(expected.length);
            slice.read(actual, 0);
            assertThat(Arrays.mismatch(actual.array(), expected)).as(wanted + " on " + disk).isEqualTo(-1);
        }
    }
}
