package org.openslx.netboot.block.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;
import org.openslx.netboot.block.BlockSource;

/**
 * Reads a GUID partition table (UEFI spec, chapter 5) with 512-byte sectors: the primary header
 * at LBA 1, or the backup header in the last sector when the primary one is damaged. Header and
 * entry array CRCs are checked, and every partition must lie inside the disk.
 */
final class GptReader {
    private static final long SIGNATURE = 0x5452415020494645L; // "EFI PART", little-endian
    private static final int MIN_HEADER_SIZE = 92;
    private static final int MIN_ENTRY_SIZE = 128;
    private static final int MAX_ENTRY_SIZE = 4096;
    /** The usual array is 16 KiB; anything beyond 1 MiB is not a table we should allocate for. */
    private static final long MAX_ENTRY_ARRAY_BYTES = 1L << 20;
    private static final int NAME_BYTES = 72;

    private GptReader() {
    }

    static PartitionTable read(BlockSource disk) throws IOException {
        long lastSector = disk.size() / Disk.SECTOR - 1;
        try {
            return readAt(disk, 1, lastSector);
        } catch (IOException primaryProblem) {
            try {
                return readAt(disk, lastSector, lastSector);
            } catch (IOException backupProblem) {
                throw new IOException(primaryProblem.getMessage() + " (the backup GPT header is not usable either: "
                        + backupProblem.getMessage() + ")", primaryProblem);
            }
        }
    }

    private static PartitionTable readAt(BlockSource disk, long lba, long lastSector) throws IOException {
        String where = disk.describe() + ": GPT header at sector " + lba;
        if (lba < 1 || lba > lastSector) {
            throw new IOException(where + " lies outside the disk");
        }
        ByteBuffer header = Disk.read(disk, lba * Disk.SECTOR, Disk.SECTOR, "GPT header");
        if (header.getLong(0) != SIGNATURE) {
            throw new IOException(where + " has no \"EFI PART\" signature");
        }
        int headerSize = header.getInt(12);
        if (headerSize < MIN_HEADER_SIZE || headerSize > Disk.SECTOR) {
            throw new IOException(where + ": header size " + Integer.toUnsignedString(headerSize)
                    + " (byte 12) is invalid");
        }
        int storedCrc = header.getInt(16);
        ByteBuffer forCrc = ByteBuffer.allocate(headerSize).order(ByteOrder.LITTLE_ENDIAN);
        forCrc.put(header.duplicate().clear().limit(headerSize)).putInt(16, 0);
        if (crc(forCrc.array(), headerSize) != storedCrc) {
            throw new IOException(where + ": header CRC32 (byte 16) does not match");
        }
        if (header.getLong(24) != lba) {
            throw new IOException(where + ": my_lba " + header.getLong(24) + " (byte 24) is not " + lba);
        }
        long firstUsable = header.getLong(40);
        long lastUsable = header.getLong(48);
        if (firstUsable < 0 || lastUsable < firstUsable || lastUsable > lastSector) {
            throw new IOException(where + ": usable sectors " + firstUsable + " to " + lastUsable
                    + " (bytes 40, 48) do not fit the disk (" + (lastSector + 1) + " sectors)");
        }
        long entriesLba = header.getLong(72);
        long count = Integer.toUnsignedLong(header.getInt(80));
        long entrySize = Integer.toUnsignedLong(header.getInt(84));
        if (entrySize < MIN_ENTRY_SIZE || entrySize > MAX_ENTRY_SIZE || entrySize % 8 != 0) {
            throw new IOException(where + ": partition entry size " + entrySize + " (byte 84) is invalid");
        }
        if (count * entrySize > MAX_ENTRY_ARRAY_BYTES) {
            throw new IOException(where + ": " + count + " partition entries of " + entrySize
                    + " bytes (bytes 80, 84) are far too many");
        }
        int arrayBytes = (int) (count * entrySize);
        if (entriesLba < 0 || entriesLba > lastSector
                || !Disk.inside(disk, entriesLba * Disk.SECTOR, arrayBytes)) {
            throw new IOException(where + ": partition entry array at sector " + entriesLba
                    + " (byte 72) lies past the end of the disk");
        }
        ByteBuffer entries = Disk.read(disk, entriesLba * Disk.SECTOR, arrayBytes, "GPT partition entries");
        if (crc(entries.array(), arrayBytes) != header.getInt(88)) {
            throw new IOException(where + ": partition entry array CRC32 (byte 88) does not match");
        }
        return new PartitionTable(PartitionTable.Scheme.GPT,
                partitions(disk, entries, (int) count, (int) entrySize, lastSector));
    }

    private static List<Partition> partitions(BlockSource disk, ByteBuffer entries, int count,
            int entrySize, long lastSector) throws IOException {
        List<Partition> partitions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = i * entrySize;
            UUID type = guid(entries, at);
            if (type.getMostSignificantBits() == 0 && type.getLeastSignificantBits() == 0) {
                continue; // unused entry
            }
            long first = entries.getLong(at + 32);
            long last = entries.getLong(at + 40);
            if (first < 1 || last < first || last > lastSector) {
                throw new IOException(disk.describe() + ": GPT partition " + (i + 1) + " (sectors "
                        + first + " to " + last + ") does not fit the disk (" + (lastSector + 1) + " sectors)");
            }
            partitions.add(new Partition(i + 1, first * Disk.SECTOR, (last - first + 1) * Disk.SECTOR,
                    name(entries, at + 56), new PartitionType.Gpt(type)));
        }
        return partitions;
    }

    /** GUIDs are stored mixed-endian: the first three fields little-endian, the rest as bytes. */
    static UUID guid(ByteBuffer buffer, int at) {
        ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long high = (Integer.toUnsignedLong(le.getInt(at)) << 32)
                | ((long) Short.toUnsignedInt(le.getShort(at + 4)) << 16)
                | Short.toUnsignedInt(le.getShort(at + 6));
        long low = buffer.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at + 8);
        return new UUID(high, low);
    }

    private static String name(ByteBuffer entries, int at) {
        byte[] raw = new byte[NAME_BYTES];
        entries.get(at, raw);
        int length = 0;
        while (length + 1 < NAME_BYTES && (raw[length] != 0 || raw[length + 1] != 0)) {
            length += 2;
        }
        return new String(raw, 0, length, StandardCharsets.UTF_16LE);
    }

    private static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
