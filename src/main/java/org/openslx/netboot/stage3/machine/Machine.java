package org.openslx.netboot.stage3.machine;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** What stage3 knows about the machine at one moment: its UUID, its RAM and its block devices. */
public record Machine(Optional<String> systemUuid, OptionalLong memoryKb, List<Disk> disks) {
    public Machine {
        disks = List.copyOf(disks);
    }

    public Stream<Partition> partitions() {
        return disks.stream().flatMap(d -> d.partitions().stream());
    }

    public Optional<Disk> disk(Path device) {
        return disks.stream().filter(d -> d.device().equals(device)).findFirst();
    }
}
