package org.openslx.netboot.stage3.machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The machine's SMBIOS UUID ({@code /sys/class/dmi/id/product_uuid}, readable by root only), which
 * bwLehrpool servers use to pick a per-machine config. Placeholder values some firmware reports
 * (all zeros, all ones) identify nothing and count as unknown.
 */
public final class SystemUuid {
    private SystemUuid() {
    }

    public static Optional<String> read(Path root) {
        try {
            return parse(Files.readString(root.resolve("sys/class/dmi/id/product_uuid")));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    public static Optional<String> parse(String text) {
        String uuid = text.strip().toLowerCase(Locale.ROOT);
        if (!uuid.matches("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")) {
            return Optional.empty();
        }
        String digits = uuid.replace("-", "");
        if (digits.chars().allMatch(c -> c == '0') || digits.chars().allMatch(c -> c == 'f')) {
            return Optional.empty();
        }
        return Optional.of(uuid);
    }
}
