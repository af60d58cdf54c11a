package org.openslx.netboot.stage3.machine;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.openslx.netboot.util.ByteSizes;
import org.openslx.netboot.stage3.json.JsonReader;

/**
 * A machine described in a JSON file, for {@code slx stage3 plan --machine FILE} and the tests.
 * Disks and partitions may say when they appear, so a plan can show stage3 waiting for them
 * (on a virtual clock: nothing really waits). The format:
 * <pre>
 * {
 *   "systemUuid": "4c4c4544-0042-3510-8051-b2c04f4e3332",   optional
 *   "memoryKb": 8000000,                                     optional
 *   "disks": [
 *     { "name": "sda", "size": "64G", "table": "gpt",        table: gpt, mbr or none
 *       "filesystem": "ext4", "label": "x",                  optional, for a disk without partitions
 *       "appearsAfterSeconds": 0,                            optional
 *       "partitions": [
 *         { "number": 1, "size": "20G",
 *           "gptName": "OpenSLX-ID44", "gptType": "87f86132-ff94-4987-b250-444444444444",
 *           "mbrType": "0x44", "filesystem": "ext4", "label": "ID44",
 *           "cowOwner": { "image": "ubuntu.qcow2", "rid": 3 },   slx-netboot's COW header on it
 *           "appearsAfterSeconds": 3 } ] },
 *     { "name": "nbd0", "size": "8G", "table": "gpt",        the image, as the root daemon serves it
 *       "partitions": [ { "number": 1, "size": "6G", "gptName": "SLX_SYS", "filesystem": "ext4" } ] }
 *   ]
 * }
 * </pre>
 * Sizes are bytes or a number with K, M, G or T (binary, as {@link ByteSizes} reads them). Unknown keys are errors, so a typo
 * does not silently describe another machine.
 */
public final class DescribedMachine implements MachineSource {
    private record Timed<T>(T item, Duration appearsAfter) {
    }

    private record DiskDescription(Disk disk, Duration appearsAfter, List<Timed<Partition>> partitions) {
    }

    private final Optional<String> uuid;
    private final OptionalLong memoryKb;
    private final List<DiskDescription> disks;
    private final BootClock clock;

    private DescribedMachine(Optional<String> uuid, OptionalLong memoryKb, List<DiskDescription> disks, BootClock clock) {
        this.uuid = uuid;
        this.memoryKb = memoryKb;
        this.disks = disks;
        this.clock = clock;
    }

    public static DescribedMachine read(Path file) throws IOException {
        return parse(file.toString(), Files.readString(file));
    }

    public static DescribedMachine parse(String source, String json) {
        Object root = JsonReader.parse(source, json);
        Fields top = new Fields(source, "machine", root, Set.of("systemUuid", "memoryKb", "disks"));
        List<DiskDescription> disks = new ArrayList<>();
        List<Object> diskList = top.list("disks");
        for (int i = 0; i < diskList.size(); i++) {
            disks.add(disk(new Fields(source, "disks[" + i + "]", diskList.get(i), Set.of("name", "size", "table",
                    "filesystem", "label", "appearsAfterSeconds", "partitions"))));
        }
        OptionalLong memory = top.has("memoryKb") ? OptionalLong.of(top.number("memoryKb")) : OptionalLong.empty();
        return new DescribedMachine(top.optionalString("systemUuid"), memory, disks, BootClock.virtual());
    }

    private static DiskDescription disk(Fields f) {
        String name = f.string("name");
        if (!name.matches("[a-z][a-z0-9]{0,30}")) {
            throw f.error("name", "'" + name + "' is not a kernel block device name like sda, vda, nvme0n1 or nbd0");
        }
        PartitionTable table = switch (f.optionalString("table").orElse("none").toLowerCase(Locale.ROOT)) {
            case "gpt" -> PartitionTable.GPT;
            case "mbr", "dos" -> PartitionTable.MBR;
            case "none" -> PartitionTable.NONE;
            default -> throw f.error("table", "expected gpt, mbr or none");
        };
        List<Timed<Partition>> partitions = new ArrayList<>();
        List<Object> list = f.has("partitions") ? f.list("partitions") : List.of();
        for (int i = 0; i < list.size(); i++) {
            Fields p = new Fields(f.source, f.path + ".partitions[" + i + "]", list.get(i), Set.of("number", "size",
                    "gptName", "gptType", "mbrType", "filesystem", "label", "cowOwner", "appearsAfterSeconds"));
            int number = (int) p.number("number");
            if (number < 1 || number > 256) {
                throw p.error("number", "must be between 1 and 256");
            }
            Optional<String> gptType = p.optionalString("gptType");
            if (gptType.isPresent() && !gptType.get().matches("(?i)[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")) {
                throw p.error("gptType", "'" + gptType.get() + "' is not a GUID");
            }
            OptionalInt mbrType = OptionalInt.empty();
            if (p.has("mbrType")) {
                String text = p.string("mbrType");
                if (!text.matches("(?i)0x[0-9a-f]{1,2}")) {
                    throw p.error("mbrType", "'" + text + "' is not a type byte like 0x44");
                }
                mbrType = OptionalInt.of(Integer.parseInt(text.substring(2), 16));
            }
            Optional<CowOwner> owner = Optional.empty();
            if (p.has("cowOwner")) {
                Fields o = new Fields(f.source, p.path + ".cowOwner", p.raw("cowOwner"), Set.of("image", "rid"));
                owner = Optional.of(new CowOwner(o.string("image"), (int) o.number("rid")));
            }
            Partition partition = new Partition(Partition.kernelName(name, number), name, number, p.size("size"),
                    p.optionalString("gptName"), gptType, mbrType, p.optionalString("filesystem"),
                    p.optionalString("label"), owner);
            partitions.add(new Timed<>(partition, p.seconds("appearsAfterSeconds")));
        }
        Disk disk = new Disk(name, f.size("size"), table, List.of(), f.optionalString("filesystem"),
                f.optionalString("label"));
        return new DiskDescription(disk, f.seconds("appearsAfterSeconds"), partitions);
    }

    @Override
    public Machine snapshot() {
        Duration now = clock.elapsed();
        List<Disk> visible = new ArrayList<>();
        for (DiskDescription d : disks) {
            if (d.appearsAfter.compareTo(now) > 0) {
                continue;
            }
            List<Partition> partitions = d.partitions.stream()
                    .filter(p -> p.appearsAfter.compareTo(now) <= 0).map(Timed::item).toList();
            Disk disk = d.disk;
            visible.add(new Disk(disk.name(), disk.sizeBytes(), disk.table(), partitions, disk.filesystem(), disk.label()));
        }
        return new Machine(uuid, memoryKb, visible);
    }

    @Override
    public BootClock clock() {
        return clock;
    }

    /** Typed access to one JSON object, with errors that say where. */
    private static final class Fields {
        final String source;
        final String path;
        final Map<?, ?> map;

        Fields(String source, String path, Object value, Set<String> known) {
            this.source = source;
            this.path = path;
            if (!(value instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("machine file " + source + ": " + path + " must be an object");
            }
            this.map = m;
            for (Object key : m.keySet()) {
                if (!known.contains(key)) {
                    throw new IllegalArgumentException("machine file " + source + ": " + path + ": unknown key '" + key
                            + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        boolean has(String key) {
            return map.containsKey(key) && map.get(key) != null;
        }

        Object raw(String key) {
            return map.get(key);
        }

        IllegalArgumentException error(String key, String problem) {
            return new IllegalArgumentException("machine file " + source + ": " + path + "." + key + ": " + problem);
        }

        String string(String key) {
            if (!has(key)) {
                throw error(key, "is missing");
            }
            if (!(map.get(key) instanceof String s)) {
                throw error(key, "must be a string");
            }
            return s;
        }

        Optional<String> optionalString(String key) {
            return has(key) ? Optional.of(string(key)) : Optional.empty();
        }

        long number(String key) {
            if (!has(key)) {
                throw error(key, "is missing");
            }
            if (!(map.get(key) instanceof BigDecimal n)) {
                throw error(key, "must be a number");
            }
            try {
                return n.longValueExact();
            } catch (ArithmeticException e) {
                throw error(key, "must be a whole number");
            }
        }

        long size(String key) {
            Object value = map.get(key);
            if (value instanceof String s) {
                try {
                    return ByteSizes.parse(s);
                } catch (IllegalArgumentException e) {
                    throw error(key, e.getMessage());
                }
            }
            long n = number(key);
            if (n < 0) {
                throw error(key, "must not be negative");
            }
            return n;
        }

        Duration seconds(String key) {
            if (!has(key)) {
                return Duration.ZERO;
            }
            long n = number(key);
            if (n < 0 || n > 86400) {
                throw error(key, "must be between 0 and 86400");
            }
            return Duration.ofSeconds(n);
        }

        List<Object> list(String key) {
            if (!has(key)) {
                return List.of();
            }
            if (!(map.get(key) instanceof List<?> l)) {
                throw error(key, "must be a list");
            }
            return new ArrayList<>(l);
        }
    }
}
