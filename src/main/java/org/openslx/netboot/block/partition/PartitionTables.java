package org.openslx.netboot.block.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.openslx.netboot.block.BlockSource;

/**
 * Finds the partition table of a disk: GPT when the MBR is protective (type 0xee), else the MBR
 * itself. Used by {@code --partition} and by stage3 to find OpenSLX ID44 partitions on local
 * disks.
 */
public final class PartitionTables {
    private PartitionTables() {
    }

    /**
     * The disk's partition table, or empty if it has none (e.g. a filesystem on the whole disk).
     *
     * @throws IOException if a table is there but damaged or pointing outside the disk; the
     *     message names the disk, the structure and the field
     */
    public static Optional<PartitionTable> read(BlockSource disk) throws IOException {
        if (disk.size() < 2 * Disk.SECTOR) {
            return Optional.empty();
        }
        ByteBuffer sector0 = Disk.read(disk, 0, Disk.SECTOR, "MBR");
        if (!MbrReader.hasSignature(sector0)) {
            return Optional.empty();
        }
        List<MbrReader.Entry> entries = MbrReader.entries(sector0);
        if (entries == null) {
            return Optional.empty();
        }
        if (entries.stream().anyMatch(e -> e.type() == MbrReader.PROTECTIVE_GPT)) {
            return Optional.of(GptReader.read(disk));
        }
        if (entries.stream().allMatch(MbrReader.Entry::empty)) {
            return Optional.empty();
        }
        return Optional.of(MbrReader.read(disk, entries));
    }
}
