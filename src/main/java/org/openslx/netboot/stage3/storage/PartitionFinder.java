package org.openslx.netboot.stage3.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.openslx.netboot.stage3.machine.Disk;
import org.openslx.netboot.stage3.machine.Machine;
import org.openslx.netboot.stage3.machine.Partition;

/** Finds the partitions stage3 needs on a machine. */
public final class PartitionFinder {
    /** OpenSLX's scratch partition (ID44): GPT type GUID and MBR type. */
    public static final String ID44_GPT_TYPE = "87f86132-ff94-4987-b250-444444444444";
    public static final int ID44_MBR_TYPE = 0x44;

    private PartitionFinder() {
    }

    /** How the writable partition was recognised. */
    public enum MatchedBy {
        GPT_NAME, GPT_TYPE, MBR_TYPE
    }

    public record WritableMatch(Partition partition, MatchedBy matchedBy, List<Partition> others) {
    }

    /**
     * The ID44 partition: by GPT partition name {@code identifier} first, else by the ID44 type GUID,
     * else by MBR type 0x44. Partitions on the image device are never candidates. When several
     * match equally, the first disk in kernel order wins and the others are reported.
     */
    public static Optional<WritableMatch> writable(Machine machine, Optional<String> identifier, Path imageDevice) {
        List<Partition> local = machine.disks().stream()
                .filter(d -> !d.device().equals(imageDevice) && !d.name().startsWith("nbd"))
                .flatMap(d -> d.partitions().stream()).toList();
        if (identifier.isPresent()) {
            List<Partition> named = local.stream().filter(p -> p.gptName().equals(identifier)).toList();
            if (!named.isEmpty()) {
                return Optional.of(new WritableMatch(named.getFirst(), MatchedBy.GPT_NAME, named.subList(1, named.size())));
            }
        }
        List<Partition> typed = local.stream().filter(p -> p.gptType().equals(Optional.of(ID44_GPT_TYPE))).toList();
        if (!typed.isEmpty()) {
            return Optional.of(new WritableMatch(typed.getFirst(), MatchedBy.GPT_TYPE, typed.subList(1, typed.size())));
        }
        List<Partition> mbr = local.stream().filter(p -> p.mbrType().equals(OptionalInt.of(ID44_MBR_TYPE))).toList();
        if (!mbr.isEmpty()) {
            return Optional.of(new WritableMatch(mbr.getFirst(), MatchedBy.MBR_TYPE, mbr.subList(1, mbr.size())));
        }
        return Optional.empty();
    }

    /** The root inside the image: the partition with GPT name {@code identifier}, else with that filesystem label. */
    public static Optional<ImagePartition> image(Machine machine, Path imageDevice, Optional<String> identifier) {
        Optional<Disk> disk = machine.disk(imageDevice);
        if (disk.isEmpty()) {
            return Optional.empty();
        }
        if (identifier.isEmpty()) {
            return Optional.of(new ImagePartition(imageDevice, disk.get().sizeBytes() / 512, Optional.empty()));
        }
        Optional<Partition> found = disk.get().partitions().stream()
                .filter(p -> p.gptName().equals(identifier)).findFirst()
                .or(() -> disk.get().partitions().stream().filter(p -> p.label().equals(identifier)).findFirst());
        if (found.isPresent()) {
            return Optional.of(new ImagePartition(found.get().device(), found.get().sectors(), found));
        }
        if (disk.get().partitions().isEmpty() && disk.get().label().equals(identifier)) {
            return Optional.of(new ImagePartition(imageDevice, disk.get().sizeBytes() / 512, Optional.empty()));
        }
        return Optional.empty();
    }

    /** The device holding the root filesystem and its size in sectors. */
    public record ImagePartition(Path device, long sectors, Optional<Partition> partition) {
    }
}
