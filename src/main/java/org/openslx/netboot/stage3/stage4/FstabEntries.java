package org.openslx.netboot.stage3.stage4;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openslx.netboot.stage3.storage.CowChoice;
import org.openslx.netboot.stage3.storage.StoragePlan;

/**
 * The lines stage3 puts into stage4's /etc/fstab: the root on the copy-on-write device, with the
 * options of {@code SLX_MOUNT_ROOT_OPTIONS} ({@code -o a,b} and {@code -t type} become fstab fields;
 * other mount arguments cannot be expressed there and are reported), and the filesystem that holds
 * the copy-on-write file: the ID44 filesystem or the tmpfs in RAM. Both are already mounted by
 * stage3 and carry {@code x-initrd.mount}, which tells stage4's systemd to leave them mounted
 * until its final shutdown step (systemd.mount(5)): a unit stop at shutdown would otherwise try to
 * unmount them while the loop device under the root holds their file, and fail loudly.
 */
public final class FstabEntries {
    /** Where stage3 mounts them (StoragePlanner's DISK_DIR and RAM_DIR). */
    static final String COW_DISK = "/run/openslx/cow-disk";
    static final String COW_RAM = "/run/openslx/cow-ram";

    private FstabEntries() {
    }

    public record Result(List<String> lines, List<String> warnings) {
    }

    public static Result of(StoragePlan storage, List<String> mountRootOptions) {
        List<String> warnings = new ArrayList<>();
        List<String> options = new ArrayList<>();
        Optional<String> type = Optional.empty();
        for (int i = 0; i < mountRootOptions.size(); i++) {
            String word = mountRootOptions.get(i);
            if ((word.equals("-o") || word.equals("--options")) && i + 1 < mountRootOptions.size()) {
                options.add(mountRootOptions.get(++i));
            } else if (word.startsWith("-o") && word.length() > 2) {
                options.add(word.substring(2));
            } else if ((word.equals("-t") || word.equals("--types")) && i + 1 < mountRootOptions.size()) {
                type = Optional.of(mountRootOptions.get(++i));
            } else {
                warnings.add("SLX_MOUNT_ROOT_OPTIONS argument '" + word + "' has no place in /etc/fstab and is left out there");
            }
        }
        String fsType = type.or(() -> storage.root().expected().flatMap(p -> p.filesystem())).orElse("auto");
        List<String> lines = new ArrayList<>();
        lines.add(StoragePlan.ROOT_DEVICE + " / " + fsType + " " + (options.isEmpty() ? "defaults" : String.join(",", options))
                + " 0 0");
        switch (storage.cow()) {
            case CowChoice.FileOnPartition file -> lines.add(file.partition().device() + " " + COW_DISK + " "
                    + file.partition().filesystem().orElse("auto") + " noauto,nofail,x-initrd.mount 0 0");
            case CowChoice.Ram ram -> lines.add("tmpfs " + COW_RAM + " tmpfs noauto,nofail,x-initrd.mount,mode=0700 0 0");
            case CowChoice.WholePartition whole -> {
                // The snapshot uses the partition directly: nothing mounted.
            }
        }
        return new Result(lines, warnings);
    }
}
