package org.openslx.netboot.block.partition;

import java.util.List;

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
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public PartitionTable {
        partitions = List.copyOf(partitions);
    }
}
