package org.openslx.netboot.block.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.openslx.netboot.block.BlockSource;

/**
 * Reads an MBR (DOS) partition table: four primary entries and logical partitions in the chain
 * of extended boot records, numbered as Linux does (logical ones from 5).
 */
final class MbrReader {
    static final int PROTECTIVE_GPT = 0xee;
    private static final int ENTRIES_AT = 446;
    private static final int ENTRY_BYTES = 16;
    /** Linux stops at some point too; a chain longer than this is a loop or garbage. */
    private static final int MAX_LOGICAL = 128;

    /** One raw entry: where it points, in sectors, relative to whatever the format says. */
    record Entry(int status, int type, long firstSector, long sectors) {
        boolean empty() {
            return type == 0 || sectors == 0;
        }

        boolean extended() {
            return type == 0x05 || type == 0x0f || type == 0x85;
        }
    }

    private MbrReader() {
    }

    /** Whether the sector ends in 0x55 0xAA. */
    static boolean hasSignature(ByteBuffer sector) {
        return (sector.get(510) & 0xff) == 0x55 && (sector.get(511) & 0xff) == 0xaa;
    }

    /**
     * The four entries of sector 0, or null if they cannot be a partition table (a boot flag
     * other than 0x00/0x80 means a filesystem boot sector, e.g. FAT, as Linux decides too).
     */
    static List<Entry> entries(ByteBuffer sector) {
        List<Entry> entries = new ArrayList<>(4);
        for (int i = 0; i < 4; i++) {
            int at = ENTRIES_AT + i * ENTRY_BYTES;
            int status = sector.get(at) & 0xff;
            if (status != 0x00 && status != 0x80) {
                return null;
            }
            entries.add(new Entry(status, sector.get(at + 4) & 0xff,
                    Integer.toUnsignedLong(sector.getInt(at + 8)),
                    Integer.toUnsignedLong(sector.getInt(at + 12))));
        }
        return entries;
    }

    static PartitionTable read(BlockSource disk, List<Entry> primary) throws IOException {
        List<Partition> partitions = new ArrayList<>();
        for (int i = 0; i < primary.size(); i++) {
            Entry entry = primary.get(i);
            if (entry.empty()) {
                continue;
            }
            partitions.add(partition(disk, i + 1, entry.firstSector(), entry));
            if (entry.extended()) {
                readLogical(disk, entry.firstSector(), partitions);
            }
        }
        return new PartitionTable(PartitionTable.Scheme.MBR, partitions);
    }

    private static void readLogical(BlockSource disk, long extendedStart, List<Partition> into)
            throws IOException {
        Set<Long> visited = new HashSet<>();
        long ebr = extendedStart;
        for (int number = 5; ; number++) {
            if (number - 5 >= MAX_LOGICAL || !visited.add(ebr)) {
                throw new IOException(disk.describe() + ": the chain of extended boot records from sector "
                        + extendedStart + " loops or exceeds " + MAX_LOGICAL + " logical partitions");
            }
            ByteBuffer sector = Disk.read(disk, ebr * Disk.SECTOR, Disk.SECTOR,
                    "extended boot record for partition " + number);
            List<Entry> entries = hasSignature(sector) ? entries(sector) : null;
            if (entries == null) {
                throw new IOException(disk.describe() + ": extended boot record at sector " + ebr
                        + " (partition " + number + ") is not valid");
            }
            Entry logical = entries.get(0);
            if (!logical.empty()) {
                into.add(partition(disk, number, ebr + logical.firstSector(), logical));
            }
            Entry next = entries.get(1);
            if (next.empty() || !next.extended()) {
                return;
            }
            ebr = extendedStart + next.firstSector();
        }
    }

    private static Partition partition(BlockSource disk, int number, long firstSector, Entry entry)
            throws IOException {
        // Extended containers are listed too, with their whole extent, as fdisk shows them.
        long offset = firstSector * Disk.SECTOR;
        long length = entry.sectors() * Disk.SECTOR;
        if (!Disk.inside(disk, offset, length)) {
            throw new IOException(disk.describe() + ": MBR partition " + number + " (sectors "
                    + firstSector + "+" + entry.sectors() + ") extends past the end of the disk ("
                    + disk.size() / Disk.SECTOR + " sectors)");
        }
        return new Partition(number, offset, length, "", new PartitionType.Mbr(entry.type()));
    }
}
