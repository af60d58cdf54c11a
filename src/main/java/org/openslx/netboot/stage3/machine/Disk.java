package org.openslx.netboot.stage3.machine;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A whole block device: a local disk, or the image device the root daemon serves. */
public record Disk(String name, long sizeBytes, PartitionTable table, List<Partition> partitions,
                   Optional<String> filesystem, Optional<String> label) {
    public Disk {
        partitions = List.copyOf(partitions);
    }

    public Path device() {
        return Path.of("/dev", name);
    }
}
