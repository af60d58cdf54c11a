package org.openslx.netboot.stage3.stage4;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openslx.netboot.stage3.storage.CowChoice;
import org.openslx.netboot.stage3.storage.StoragePlan;

/**
 * The lines stage3 puts into stage4's /etc/fstab: the root on the copy-on-write device, with the
 * options of {@code SLX_MOUNT_ROOT_OPTIONS} ({@code -o a,b} and {@code -t type} become fstab fields;
 * other mount arguments cannot be expressed there and are reported), and the ID44 filesystem when
 * the copy-on-write file lives on it (already mounted by stage3, so {@code noauto}).
 */
public final class FstabEntries {
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
        if (storage.cow() instanceof CowChoice.FileOnPartition file) {
            lines.add(file.partition().device() + " /run/openslx/cow-disk "
                    + file.partition().filesystem().orElse("auto") + " noauto,nofail 0 0");
        }
        return new Result(lines, warnings);
    }
}
