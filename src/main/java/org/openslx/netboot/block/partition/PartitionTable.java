package org.openslx.netboot.block.partition;

import java.util.List;
import java.util.Locale;

/**
 * The partitions of a disk.
 *
 * @param scheme GPT or MBR
 * @param partitions in table order, empty slots left out
 */
public record PartitionTable(Scheme scheme, List<Partition> partitions) {
    public enum Scheme {
        GPT, MBR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PartitionTable {
        partitions = List.copyOf(partitions);
    }
}
