package org.openslx.netboot.block.partition;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.util.ByteSizes;

/**
 * Selects a partition the way {@code --partition NAME} promises: by GPT partition name first,
 * then, when no name matches, by filesystem label.
 */
public final class PartitionFinder {
    /** A partition and the filesystem found in it, if any. */
    public record Found(Partition partition, Optional<Filesystem> filesystem) {
        /** "2 "ROOT" (ext4 label "root", 1 MiB)", for listings in messages. */
        public String summary() {
            StringBuilder text = new StringBuilder().append(partition.number());
            if (!partition.name().isEmpty()) {
                text.append(" \"").append(partition.name()).append('"');
            }
            text.append(" (");
            filesystem.ifPresent(fs -> text.append(fs.type())
                    .append(fs.label().isEmpty() ? "" : " label \"" + fs.label() + "\"").append(", "));
            return text.append(ByteSizes.format(partition.length())).append(')').toString();
        }
    }

    private PartitionFinder() {
    }

    /** Every partition of {@code table} with the filesystem in it. */
    public static List<Found> list(BlockSource disk, PartitionTable table) throws IOException {
        List<Found> found = new ArrayList<>();
        for (Partition partition : table.partitions()) {
            found.add(new Found(partition,
                    FilesystemProbe.probe(disk, partition.offset(), partition.length())));
        }
        return found;
    }

    /**
     * The partition of {@code disk} whose GPT name, or else filesystem label, is {@code wanted}.
     * The slice owns {@code disk}; on failure the caller still owns it.
     *
     * @throws IOException if there is no table, no match, or more than one match; the message
     *     lists the partitions there are
     */
    public static SliceSource select(BlockSource disk, String wanted) throws IOException {
        PartitionTable table = PartitionTables.read(disk).orElseThrow(() -> new IOException(
                disk.describe() + ": has no partition table, so there is no partition \"" + wanted + "\""));
        List<Found> all = list(disk, table);
        Found match = unique(disk, wanted, all, f -> f.partition().name().equals(wanted), "named");
        if (match == null) {
            match = unique(disk, wanted, all,
                    f -> f.filesystem().map(fs -> fs.label().equals(wanted)).orElse(false), "labelled");
        }
        if (match == null) {
            throw new IOException(disk.describe() + ": no partition is named or labelled \"" + wanted
                    + "\"; the " + table.scheme().label().toUpperCase(Locale.ROOT)
                    + " partitions are: " + listing(all));
        }
        Partition p = match.partition();
        String name = "partition " + p.number() + " (" + wanted + ")";
        return new SliceSource(disk, p.offset(), p.length(), name);
    }

    private static Found unique(BlockSource disk, String wanted, List<Found> all,
            Predicate<Found> matches, String how) throws IOException {
        List<Found> matching = all.stream().filter(matches).toList();
        if (matching.size() > 1) {
            throw new IOException(disk.describe() + ": " + matching.size() + " partitions are " + how
                    + " \"" + wanted + "\": " + listing(matching) + "; rename one");
        }
        return matching.isEmpty() ? null : matching.getFirst();
    }

    private static String listing(List<Found> found) {
        return found.isEmpty() ? "none" : found.stream().map(Found::summary).collect(Collectors.joining(", "));
    }
}
