package org.openslx.netboot.block.partition;

import static org.openslx.netboot.block.ExternalCommand.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openslx.netboot.block.ExternalCommand;

/**
 * Disks and filesystems made by the real tools (sgdisk, sfdisk, mkfs.*) for partition tests,
 * and sfdisk's own reading of a table to compare with.
 */
public final class TestDisks {
    static final long MIB = 1 << 20;

    /** A GPT partition to create: name, type (sgdisk code or GUID), size, filesystem image or null. */
    public record GptPart(String name, String type, int mib, Path filesystem) {
    }

    /** One line of {@code sfdisk --dump}. */
    public record Dumped(int number, long startSector, long sectors, String type, String name) {
    }

    private TestDisks() {
    }

    public static Path ext4(Path dir, String file, String label, int mib) {
        Path image = dir.resolve(file);
        run("truncate", "-s", mib + "M", image.toString());
        run("mkfs.ext4", "-q", "-F", "-L", label, image.toString());
        return image;
    }

    public static Path btrfs(Path dir, String file, String label) {
        Path image = dir.resolve(file);
        // --mixed allows 16 MiB; plain btrfs wants at least 114 MiB.
        run("truncate", "-s", "16M", image.toString());
        run("mkfs.btrfs", "-q", "--mixed", "-L", label, image.toString());
        return image;
    }

    /** An xfs image, or null when mkfs.xfs is not installed. */
    public static Path xfs(Path dir, String file, String label) {
        if (!ExternalCommand.available("mkfs.xfs")) {
            return null;
        }
        Path image = dir.resolve(file);
        run("truncate", "-s", "32M", image.toString());
        // mkfs.xfs wants 300 MB unless it believes it runs under fstests; 32 MiB is plenty here.
        run("env", "TEST_DIR=" + dir, "TEST_DEV=" + image, "QA_CHECK_FS=1", ExternalCommand.path("mkfs.xfs"),
                "-q", "-L", label, image.toString());
        return image;
    }

    /** A GPT disk with the partitions in order, each starting on a MiB boundary from 1 MiB. */
    public static Path gptDisk(Path dir, String file, int diskMib, List<GptPart> parts) {
        Path disk = dir.resolve(file);
        run("truncate", "-s", diskMib + "M", disk.toString());
        List<String> command = new ArrayList<>(List.of("sgdisk"));
        long start = 1;
        for (int i = 0; i < parts.size(); i++) {
            GptPart part = parts.get(i);
            int n = i + 1;
            command.add("-n");
            command.add(n + ":" + start * 2048 + ":+" + part.mib() + "M");
            command.add("-t");
            command.add(n + ":" + part.type());
            if (!part.name().isEmpty()) {
                command.add("-c");
                command.add(n + ":" + part.name());
            }
            start += part.mib();
        }
        command.add(disk.toString());
        run(command.toArray(String[]::new));
        start = 1;
        for (GptPart part : parts) {
            if (part.filesystem() != null) {
                writeAt(part.filesystem(), disk, start);
            }
            start += part.mib();
        }
        return disk;
    }

    /** Copies {@code image} into {@code disk} at {@code mib} MiB, keeping holes. */
    public static void writeAt(Path image, Path disk, long mib) {
        run("dd", "if=" + image, "of=" + disk, "bs=1M", "seek=" + mib, "conv=notrunc,sparse", "status=none");
    }

    /** An MBR disk from an sfdisk script. */
    public static Path mbrDisk(Path dir, String file, int diskMib, String script) {
        Path disk = dir.resolve(file);
        run("truncate", "-s", diskMib + "M", disk.toString());
        run("sh", "-c", "printf '" + script + "' | sfdisk -q '" + disk + "'");
        return disk;
    }

    private static final Pattern DUMP_LINE = Pattern.compile(
            "\\S+?(\\d+) : start=\\s*(\\d+), size=\\s*(\\d+), type=([0-9A-Fa-f-]+)(?:, uuid=[0-9A-Fa-f-]+)?(?:, name=\"(.*)\")?.*");

    /** How sfdisk reads the disk's table. */
    public static List<Dumped> sfdiskDump(Path disk) {
        List<Dumped> parts = new ArrayList<>();
        for (String line : run("sfdisk", "--dump", disk.toString()).split("\n")) {
            Matcher m = DUMP_LINE.matcher(line);
            if (m.matches()) {
                parts.add(new Dumped(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3)), m.group(4).toLowerCase(java.util.Locale.ROOT),
                        m.group(5) == null ? "" : unescape(m.group(5))));
            }
        }
        return parts;
    }

    /** sfdisk prints non-ASCII name bytes as \xNN. */
    private static String unescape(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            if (text.startsWith("\\x", i) && i + 3 < text.length() + 1) {
                bytes.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                bytes.write(text.charAt(i));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
