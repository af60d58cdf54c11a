package org.openslx.netboot.stage3.machine;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.openslx.netboot.util.ByteSizes;

/**
 * One partition as stage3 sees it.
 *
 * @param name      kernel name, e.g. {@code sda3} or {@code nbd0p1}
 * @param disk      kernel name of the disk it is on
 * @param gptName   GPT partition name (ID_PART_ENTRY_NAME)
 * @param gptType   GPT type GUID, lowercase
 * @param mbrType   MBR partition type byte
 * @param filesystem filesystem type found on it (ext4, btrfs...)
 * @param label     filesystem label
 * @param cowOwner  the slx-netboot copy-on-write header at its start, if it carries one
 */
public record Partition(String name, String disk, int number, long sizeBytes, Optional<String> gptName,
                        Optional<String> gptType, OptionalInt mbrType, Optional<String> filesystem,
                        Optional<String> label, Optional<CowOwner> cowOwner) {

    public Partition {
        gptType = gptType.map(t -> t.toLowerCase(Locale.ROOT));
    }

    /** The kernel's naming: a partition of {@code sda} is {@code sda1}, of {@code nbd0} {@code nbd0p1}. */
    public static String kernelName(String disk, int number) {
        return Character.isDigit(disk.charAt(disk.length() - 1)) ? disk + "p" + number : disk + number;
    }

    public Path device() {
        return Path.of("/dev", name);
    }

    public long sectors() {
        return sizeBytes / 512;
    }

    /** For messages: {@code /dev/sda3 (GPT name "OpenSLX-ID44", 50 GiB, ext4)}. */
    public String describe() {
        StringBuilder out = new StringBuilder(device().toString()).append(" (");
        gptName.ifPresent(n -> out.append("GPT name \"").append(n).append("\", "));
        mbrType.ifPresent(t -> out.append(String.format("MBR type 0x%02x, ", t)));
        label.ifPresent(l -> out.append("label \"").append(l).append("\", "));
        out.append(ByteSizes.format(sizeBytes));
        filesystem.ifPresent(f -> out.append(", ").append(f));
        return out.append(')').toString();
    }
}
