package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Puts stage3's entries at the top of stage4's /etc/fstab and comments out the image's own lines
 * for the same mount points (its root line would name a device that does not exist on this client).
 * Everything else the image has (swap, tmpfs...) stays.
 */
final class FstabUpdater {
    private FstabUpdater() {
    }

    static String update(String existing, List<String> entries) {
        Set<String> mountPoints = entries.stream().map(e -> e.split("\\s+")[1]).collect(Collectors.toSet());
        List<String> out = new ArrayList<>();
        out.add("# Written by slx-netboot stage3: the root is the copy-on-write device.");
        out.addAll(entries);
        List<String> kept = new ArrayList<>();
        for (String line : existing.lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.startsWith("# Written by slx-netboot stage3") || entries.contains(trimmed)) {
                continue;
            }
            String[] fields = trimmed.split("\\s+");
            if (!trimmed.startsWith("#") && fields.length >= 2 && mountPoints.contains(fields[1])) {
                kept.add("# replaced by slx-netboot stage3: " + line);
            } else {
                kept.add(line);
            }
        }
        while (!kept.isEmpty() && kept.getFirst().isBlank()) {
            kept.removeFirst();
        }
        if (!kept.isEmpty()) {
            out.add("");
            out.add("# From the image:");
            out.addAll(kept);
        }
        return String.join("\n", out) + "\n";
    }

    static void apply(Path fstab, List<String> entries) throws IOException {
        String existing = Files.exists(fstab) ? Files.readString(fstab) : "";
        Files.createDirectories(fstab.getParent());
        Files.writeString(fstab, update(existing, entries));
    }
}
