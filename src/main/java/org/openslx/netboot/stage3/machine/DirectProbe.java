package org.openslx.netboot.stage3.machine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.openslx.netboot.block.FileSource;
import org.openslx.netboot.block.partition.FilesystemProbe;
import org.openslx.netboot.block.partition.Partition;
import org.openslx.netboot.block.partition.PartitionTable;
import org.openslx.netboot.block.partition.PartitionTables;
import org.openslx.netboot.block.partition.PartitionType;

/**
 * A disk's partition table and its partitions' filesystems read by slx's own readers (GPT, MBR;
 * ext2/3/4, xfs, btrfs), answered in blkid's export keys. It saves a blkid run per disk and
 * partition, each up to seconds in a slow client, for the image disk stage3 waits for. Where it
 * cannot be sure (no table, a filesystem it does not know) the caller asks blkid.
 *
 * @param disk blkid's keys for the whole disk ({@code PTTYPE})
 * @param partitions by partition number: {@code PART_ENTRY_NAME}, {@code PART_ENTRY_TYPE} and, for
 *     filesystems it knows, {@code TYPE} and {@code LABEL}
 */
record DirectProbe(Map<String, String> disk, Map<Integer, Map<String, String>> partitions) {

    /** Empty when the device has no partition table this reader knows, or cannot be read. */
    static Optional<DirectProbe> of(Path device) {
        try (FileSource source = FileSource.openReadOnly(device)) {
            Optional<PartitionTable> table = PartitionTables.read(source);
            if (table.isEmpty()) {
                return Optional.empty();
            }
            Map<Integer, Map<String, String>> partitions = new HashMap<>();
            for (Partition p : table.get().partitions()) {
                Map<String, String> keys = new HashMap<>();
                switch (p.type()) {
                    case PartitionType.Gpt gpt -> {
                        keys.put("PART_ENTRY_TYPE", gpt.guid().toString());
                        if (p.name() != null && !p.name().isEmpty()) {
                            keys.put("PART_ENTRY_NAME", p.name());
                        }
                    }
                    case PartitionType.Mbr mbr -> keys.put("PART_ENTRY_TYPE", "0x%x".formatted(mbr.code()));
                }
                FilesystemProbe.probe(source, p.offset(), p.length()).ifPresent(fs -> {
                    keys.put("TYPE", fs.type());
                    if (fs.label() != null && !fs.label().isEmpty()) {
                        keys.put("LABEL", fs.label());
                    }
                });
                partitions.put(p.number(), Map.copyOf(keys));
            }
            return Optional.of(new DirectProbe(Map.of("PTTYPE",
                    table.get().scheme() == PartitionTable.Scheme.GPT ? "gpt" : "dos"), Map.copyOf(partitions)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
