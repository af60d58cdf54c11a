package org.openslx.netboot.stage3.stage4;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.openslx.netboot.stage3.storage.CowChoice;

/**
 * A drop-in for stage4's systemd that keeps the filesystem holding the copy-on-write file (the
 * tmpfs in RAM, or the ID44 filesystem) out of the ordinary shutdown. A loop device under the
 * root's dm snapshot holds that file open, so it cannot be unmounted while the root is mounted;
 * with its default dependencies, umount.target would try anyway and the console would show a
 * "[FAILED] Failed unmounting" line. {@code DefaultDependencies=no} leaves it to
 * systemd-shutdown's final step, after the root was remounted read-only. ({@code x-initrd.mount}
 * in fstab does not help here: systemd reads the options of a mounted filesystem from
 * /proc/self/mountinfo, where stage3's mount did not record it.)
 */
public final class CowMountUnit {
    /** Where stage3 mounts them (StoragePlanner's DISK_DIR and RAM_DIR). */
    static final String COW_DISK = "/run/openslx/cow-disk";
    static final String COW_RAM = "/run/openslx/cow-ram";

    private CowMountUnit() {
    }

    /** The mount point that holds the COW file, if the COW is a file on a mounted filesystem. */
    public static Optional<String> mountPoint(CowChoice cow) {
        return switch (cow) {
            case CowChoice.Ram ram -> Optional.of(COW_RAM);
            case CowChoice.FileOnPartition file -> Optional.of(COW_DISK);
            case CowChoice.WholePartition whole -> Optional.empty();
        };
    }

    /** {@code run-openslx-cow\x2dram.mount.d}: the drop-in folder for the mount unit of {@code path}. */
    public static String dropInDirectory(String path) {
        return unitName(path) + ".mount.d";
    }

    public static String content(String path) {
        return """
                # Written by slx-netboot stage3: %s holds the root's copy-on-write file, which a loop
                # device under /dev/mapper/slx-root keeps open. It cannot be unmounted before the root,
                # so it is left to systemd-shutdown's final step instead of umount.target.
                [Unit]
                DefaultDependencies=no
                """.formatted(path);
    }

    /** The unit name of a path, as {@code systemd-escape --path} writes it. */
    static String unitName(String path) {
        String trimmed = path.replaceAll("^/+|/+$", "").replaceAll("/+", "/");
        if (trimmed.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder();
        byte[] bytes = trimmed.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            char c = (char) (bytes[i] & 0xff);
            if (c == '/') {
                out.append('-');
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == ':' || c == '_' || (c == '.' && i > 0)) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.toString();
    }
}
