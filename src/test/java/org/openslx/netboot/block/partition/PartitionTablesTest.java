package org.openslx.netboot.block.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.BytesSource;
import org.openslx.netboot.block.FileSource;

/** GPT and MBR tables made by sgdisk and sfdisk, read back and compared with sfdisk's reading. */
class PartitionTablesTest {
    private static final String ID44 = "87f86132-ff94-4987-b250-444444444444";

    @TempDir
    Path dir;

    private Path gptDisk() {
        return TestDisks.gptDisk(dir, "gpt.img", 40, List.of(
                new TestDisks.GptPart("ROOT", "8300", 8, null),
                new TestDisks.GptPart("ID44 cache", ID44, 8, null),
                new TestDisks.GptPart("Ünïcödé name", "ef00", 4, null),
                new TestDisks.GptPart("", "8200", 2, null)));
    }

    @Test
    void gptPartitionsHaveTheNamesTypesAndBoundsSfdiskSees() throws IOException {
        Path disk = gptDisk();
        List<TestDisks.Dumped> expected = TestDisks.sfdiskDump(disk);
        assertThat(expected).hasSize(4);
        try (BlockSource source = FileSource.openReadOnly(disk)) {
            PartitionTable table = PartitionTables.read(source).orElseThrow();
            assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.GPT);
            assertThat(table.partitions()).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                TestDisks.Dumped want = expected.get(i);
                Partition got = table.partitions().get(i);
                assertThat(got.number()).isEqualTo(want.number());
                assertThat(got.offset()).isEqualTo(want.startSector() * 512);
                assertThat(got.length()).isEqualTo(want.sectors() * 512);
                assertThat(got.name()).isEqualTo(want.name());
                assertThat(got.type()).isEqualTo(new PartitionType.Gpt(UUID.fromString(want.type())));
            }
            assertThat(table.partitions().get(2).name()).isEqualTo("Ünïcödé name");
        }
    }

    @Test
    void openSlxId44PartitionsAreRecognisedInGptAndMbr() throws IOException {
        Path gpt = gptDisk();
        Path mbr = TestDisks.mbrDisk(dir, "mbr.img", 40, "label: dos\\n,8M,83\\n,8M,44\\n");
        try (BlockSource g = FileSource.openReadOnly(gpt); BlockSource m = FileSource.openReadOnly(mbr)) {
            assertThat(PartitionTables.read(g).orElseThrow().partitions())
                    .filteredOn(p -> p.type().isOpenSlxId44()).extracting(Partition::name)
                    .containsExactly("ID44 cache");
            assertThat(PartitionTables.read(m).orElseThrow().partitions())
                    .filteredOn(p -> p.type().isOpenSlxId44()).extracting(Partition::number)
                    .containsExactly(2);
        }
        assertThat(new PartitionType.Gpt(UUID.fromString(ID44)).describe()).isEqualTo("OpenSLX ID44");
        assertThat(new PartitionType.Mbr(0x44).describe()).isEqualTo("OpenSLX ID44 (0x44)");
    }

    @Test
    void mbrPrimaryExtendedAndLogicalPartitionsMatchSfdisk() throws IOException {
        Path disk = TestDisks.mbrDisk(dir, "mbr.img", 40,
                "label: dos\\n,8M,83\\n,8M,44\\n,+,5\\n,4M,83\\n,4M,82\\n,2M,c\\n");
        List<TestDisks.Dumped> expected = TestDisks.sfdiskDump(disk);
        assertThat(expected).extracting(TestDisks.Dumped::number).containsExactly(1, 2, 3, 5, 6, 7);
        try (BlockSource source = FileSource.openReadOnly(disk)) {
            PartitionTable table = PartitionTables.read(source).orElseThrow();
            assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.MBR);
            assertThat(table.partitions()).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                TestDisks.Dumped want = expected.get(i);
                Partition got = table.partitions().get(i);
                assertThat(got.number()).isEqualTo(want.number());
                assertThat(got.offset()).isEqualTo(want.startSector() * 512);
                assertThat(got.length()).isEqualTo(want.sectors() * 512);
                assertThat(got.type()).isEqualTo(new PartitionType.Mbr(Integer.parseInt(want.type(), 16)));
                assertThat(got.name()).isEmpty();
            }
        }
    }

    @Test
    void protectiveMbrLeadsToTheGptAndIsNotListed() throws IOException {
        try (BlockSource source = FileSource.openReadOnly(gptDisk())) {
            assertThat(PartitionTables.read(source).orElseThrow().partitions())
                    .noneMatch(p -> p.type() instanceof PartitionType.Mbr);
        }
    }

    @Test
    void damagedPrimaryGptHeaderFallsBackToTheBackupHeader() throws IOException {
        Path disk = gptDisk();
        List<Partition> intact;
        try (BlockSource source = FileSource.openReadOnly(disk)) {
            intact = PartitionTables.read(source).orElseThrow().partitions();
        }
        patch(disk, 512 + 40, new byte[] {0x7f}); // first_usable_lba, now failing the header CRC
        try (BlockSource source = FileSource.openReadOnly(disk)) {
            assertThat(PartitionTables.read(source).orElseThrow().partitions()).isEqualTo(intact);
        }
    }

    @Test
    void bothGptHeadersDamagedIsAnErrorNamingTheHeaderAndCrc() throws IOException {
        Path disk = gptDisk();
        patch(disk, 512 + 40, new byte[] {0x7f});
        patch(disk, Files.size(disk) - 512 + 40, new byte[] {0x7f});
        try (BlockSource source = FileSource.openReadOnly(disk)) {
            assertThatThrownBy(() -> PartitionTables.read(source)).isInstanceOf(IOException.class)
                    .hasMessageContaining("gpt.img: GPT header at sector 1")
                    .hasMessageContaining("header CRC32 (byte 16) does not match")
                    .hasMessageContaining("backup GPT header");
        }
    }

    @Test
    void gptEntryArrayWithWrongCrcIsAnError() throws IOException {
        Path disk = gptDisk();
        patch(disk, 2 * 512 + 56, new byte[] {'X'}); // primary entry 1's name
        long backupEntries = Files.size(disk) - 33 * 512;
        patch(disk, backupEntries + 56, new byte[] {'X'});
        try (BlockSource source = FileSource.openReadOnly(disk)) {
            assertThatThrownBy(() -> PartitionTables.read(source)).isInstanceOf(IOException.class)
                    .hasMessageContaining("partition entry array CRC32 (byte 88) does not match");
        }
    }

    @Test
    void diskWithoutAnyTableHasNoPartitions() throws IOException {
        try (BlockSource zeros = new BytesSource(new byte[1 << 20], "zeros.img")) {
            assertThat(PartitionTables.read(zeros)).isEmpty();
        }
        Path ext4 = TestDisks.ext4(dir, "whole.img", "whole", 8);
        try (BlockSource source = FileSource.openReadOnly(ext4)) {
            assertThat(PartitionTables.read(source)).isEmpty();
            assertThat(FilesystemProbe.probe(source)).map(Filesystem::label).contains("whole");
        }
    }

    @Test
    void mbrPartitionPastTheEndOfTheDiskIsAnErrorNamingThePartition() throws IOException {
        byte[] disk = mbr(new int[] {0x83, 2048, 4096}, new int[] {0x83, 8192, 1 << 20});
        try (BlockSource source = new BytesSource(disk, "short.img")) {
            assertThatThrownBy(() -> PartitionTables.read(source)).isInstanceOf(IOException.class)
                    .hasMessageContaining("short.img: MBR partition 2 (sectors 8192+1048576)")
                    .hasMessageContaining("extends past the end of the disk (8192 sectors)");
        }
    }

    @Test
    void loopingChainOfExtendedBootRecordsIsAnError() throws IOException {
        // Extended partition at sector 2048 whose EBR links back to itself.
        byte[] disk = mbr(new int[] {0x05, 2048, 4096});
        ByteBuffer ebr = ByteBuffer.wrap(disk, 2048 * 512, 512).slice().order(ByteOrder.LITTLE_ENDIAN);
        entry(ebr, 0, 0x83, 1, 100);
        entry(ebr, 1, 0x05, 0, 4096);
        ebr.put(510, (byte) 0x55).put(511, (byte) 0xaa);
        try (BlockSource source = new BytesSource(disk, "loop.img")) {
            assertThatThrownBy(() -> PartitionTables.read(source)).isInstanceOf(IOException.class)
                    .hasMessageContaining("loop.img: the chain of extended boot records from sector 2048 loops");
        }
    }

    @Test
    void bootSectorThatIsNotAPartitionTableIsIgnored() throws IOException {
        byte[] disk = mbr(new int[] {0x83, 2048, 4096});
        disk[446] = 0x12; // a boot flag no MBR has: this is e.g. a FAT boot sector
        try (BlockSource source = new BytesSource(disk, "fat.img")) {
            assertThat(PartitionTables.read(source)).isEqualTo(Optional.empty());
        }
    }

    /** A 4 MiB disk with an MBR holding the given {type, first sector, sectors} entries. */
    private static byte[] mbr(int[]... entries) {
        byte[] disk = new byte[4 << 20];
        ByteBuffer sector = ByteBuffer.wrap(disk, 0, 512).slice().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.length; i++) {
            entry(sector, i, entries[i][0], entries[i][1], entries[i][2]);
        }
        sector.put(510, (byte) 0x55).put(511, (byte) 0xaa);
        return disk;
    }

    private static void entry(ByteBuffer sector, int index, int type, int first, int sectors) {
        int at = 446 + 16 * index;
        sector.put(at + 4, (byte) type).putInt(at + 8, first).putInt(at + 12, sectors);
    }

    private static void patch(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            byte[] old = new byte[bytes.length];
            raf.readFully(old);
            for (int i = 0; i < bytes.length; i++) {
                old[i] ^= bytes[i];
            }
            raf.seek(offset);
            raf.write(old);
        }
    }
}
