package org.openslx.netboot.stage3.machine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.openslx.netboot.stage3.exec.CommandResult;
import org.openslx.netboot.stage3.exec.CommandRunner;

/**
 * The real machine: block devices from {@code /sys/class/block} (size in 512-byte sectors, partition
 * number, parent disk), partition names, type GUIDs/MBR types, filesystems and labels from
 * {@code blkid -p -o export} (dracut's initramfs always has blkid; it reads the partition table
 * itself, so it does not depend on udev having processed the device), and the copy-on-write header
 * from the first bytes of partitions that carry no filesystem. Loop, RAM, zram, device-mapper and
 * optical devices are left out: they are never an ID44 partition, and stage3 makes its own.
 *
 * <p>{@code root} is {@code /} on a real machine; tests point it at a prepared tree.
 */
public final class SysfsMachineProbe implements MachineSource {
    private static final List<String> IGNORED_PREFIXES = List.of("loop", "ram", "zram", "dm-", "sr", "fd");

    private final Path root;
    private final CommandRunner runner;
    private final BootClock clock;

    public SysfsMachineProbe(Path root, CommandRunner runner, BootClock clock) {
        this.root = root;
        this.runner = runner;
        this.clock = clock;
    }

    @Override
    public BootClock clock() {
        return clock;
    }

    @Override
    public Machine snapshot() throws IOException {
        return snapshot(name -> true, false);
    }

    /** Only {@code device}, its table and filesystems read in Java where it can (see {@link DirectProbe}). */
    @Override
    public Machine snapshotOf(Path device) throws IOException {
        String wanted = device.getFileName().toString();
        return snapshot(wanted::equals, true);
    }

    @Override
    public boolean hasDisk(Path device) throws IOException {
        Path dir = root.resolve("sys/class/block").resolve(device.getFileName().toString());
        return device.startsWith("/dev") && Files.isRegularFile(dir.resolve("size"))
                && !Files.exists(dir.resolve("partition")) && sectors(dir) > 0;
    }

    private Machine snapshot(Predicate<String> probedDisks, boolean direct) throws IOException {
        Path classBlock = root.resolve("sys/class/block");
        List<String> names = blockDevices(classBlock);
        List<Disk> disks = new ArrayList<>();
        for (String name : names) {
            Path dir = classBlock.resolve(name);
            if (Files.exists(dir.resolve("partition")) || !probedDisks.test(name)) {
                continue;
            }
            long size = sectors(dir) * 512;
            if (size == 0) {
                continue; // an nbd device nobody connected yet, an empty card reader...
            }
            Optional<DirectProbe> read = direct ? DirectProbe.of(root.resolve("dev").resolve(name)) : Optional.empty();
            Map<String, String> info = read.isPresent() ? read.get().disk() : blkid(name);
            // The first open of a freshly attached disk (the direct read just now) is when the kernel
            // reads its partition table: look again, or its partitions would show only next time.
            List<String> children = read.isPresent() ? blockDevices(classBlock) : names;
            List<Partition> partitions = new ArrayList<>();
            for (String child : children) {
                Path childDir = classBlock.resolve(child);
                if (Files.exists(childDir.resolve("partition")) && parentOf(childDir).equals(name)) {
                    partitions.add(partition(child, name, childDir, read));
                }
            }
            partitions.sort(Comparator.comparingInt(Partition::number));
            PartitionTable table = switch (info.getOrDefault("PTTYPE", "")) {
                case "gpt" -> PartitionTable.GPT;
                case "dos" -> PartitionTable.MBR;
                default -> PartitionTable.NONE;
            };
            disks.add(new Disk(name, size, table, partitions, Optional.ofNullable(info.get("TYPE")),
                    Optional.ofNullable(info.get("LABEL"))));
        }
        return new Machine(SystemUuid.read(root), memoryKb(), disks);
    }

    private static List<String> blockDevices(Path classBlock) throws IOException {
        try (Stream<Path> entries = Files.list(classBlock)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(n -> IGNORED_PREFIXES.stream().noneMatch(n::startsWith))
                    .sorted().toList();
        }
    }

    private Partition partition(String name, String disk, Path dir, Optional<DirectProbe> read) throws IOException {
        int number = Integer.parseInt(Files.readString(dir.resolve("partition")).strip());
        long size = sectors(dir) * 512;
        // A filesystem the Java readers do not know may still be one blkid knows: ask it then.
        Optional<Map<String, String>> known = read.map(r -> r.partitions().get(number))
                .filter(keys -> keys.containsKey("TYPE"));
        Map<String, String> info = known.isPresent() ? known.get() : blkid(name);
        Optional<String> gptType = Optional.empty();
        OptionalInt mbrType = OptionalInt.empty();
        String type = info.getOrDefault("PART_ENTRY_TYPE", "");
        if (type.matches("0x[0-9a-fA-F]{1,2}")) {
            mbrType = OptionalInt.of(Integer.parseInt(type.substring(2), 16));
        } else if (!type.isEmpty()) {
            gptType = Optional.of(type);
        }
        Optional<String> filesystem = Optional.ofNullable(info.get("TYPE"));
        Optional<CowOwner> owner = filesystem.isPresent() ? Optional.empty() : readCowHeader(name);
        return new Partition(name, disk, number, size, Optional.ofNullable(info.get("PART_ENTRY_NAME")), gptType,
                mbrType, filesystem, Optional.ofNullable(info.get("LABEL")), owner);
    }

    private Map<String, String> blkid(String name) throws IOException {
        CommandResult result = runner.run(List.of("blkid", "-p", "-o", "export", "/dev/" + name), Map.of(),
                Duration.ofSeconds(30));
        // Exit code 2: nothing recognised. Any other failure (an unreadable device) counts the same: one
        // broken disk must not stop the boot, it just cannot be the ID44 partition.
        return result.exitCode() == 0 ? BlkidExport.parse(result.stdout()) : Map.of();
    }

    private Optional<CowOwner> readCowHeader(String name) {
        Path device = root.resolve("dev").resolve(name);
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(CowHeader.HEADER_BYTES);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // keep reading until the header is complete or the device ends
            }
            return CowHeader.decode(buffer.array());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long sectors(Path dir) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("size")).strip());
    }

    /** /sys/class/block/sda1 links to .../block/sda/sda1: the parent directory is the disk. */
    private static String parentOf(Path dir) throws IOException {
        return dir.toRealPath().getParent().getFileName().toString();
    }

    private OptionalLong memoryKb() {
        try {
            for (String line : Files.readAllLines(root.resolve("proc/meminfo"))) {
                String digits = line.replaceAll("\\D", "");
                if (line.startsWith("MemTotal:") && !digits.isEmpty()) {
                    return OptionalLong.of(Long.parseLong(digits));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown memory size: the plan just cannot warn about an oversized RAM disk
        }
        return OptionalLong.empty();
    }
}
