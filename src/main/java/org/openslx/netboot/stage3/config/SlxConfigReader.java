package org.openslx.netboot.stage3.config;

import static org.openslx.netboot.stage3.config.SlxVariable.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openslx.netboot.stage3.cmdline.ServerAddress;

/**
 * Checks a parsed config and builds its typed view. Every problem is reported at once, each naming
 * the variable and its line. Variables the typed view does not know are kept as they are.
 */
public final class SlxConfigReader {
    private static final Pattern DNBD3_DEVICE = Pattern.compile("/dev/(d?)nbd(\\d{1,3})");

    private final ParsedConfig parsed;
    private final Map<String, String> values;
    private final List<String> problems = new ArrayList<>();

    private SlxConfigReader(ParsedConfig parsed) {
        this.parsed = parsed;
        this.values = parsed.variables();
    }

    /** @throws IllegalArgumentException listing every variable with a bad value */
    public static SlxConfig read(ParsedConfig parsed) {
        return new SlxConfigReader(parsed).build();
    }

    private SlxConfig build() {
        Path location = absolutePath(SLX_CONFIGURATION_LOCATION).orElse(Path.of("/opt/openslx"));
        List<ServerAddress> servers = servers(SLX_DNBD3_SERVERS);
        List<ServerAddress> fallback = servers(SLX_DNBD3_FALLBACK);
        if (servers.isEmpty() && fallback.isEmpty()) {
            problems.add(SLX_DNBD3_SERVERS + " is not set: the config must name at least one dnbd3 server");
        }
        int rid = (int) number(SLX_DNBD3_RID, 0, 65535);
        Path device = Path.of("/dev/nbd0");
        Optional<String> deviceNote = Optional.empty();
        String deviceText = value(SLX_DNBD3_DEVICE);
        Matcher m = DNBD3_DEVICE.matcher(deviceText);
        if (m.matches()) {
            device = Path.of("/dev/nbd" + m.group(2));
            if (!m.group(1).isEmpty()) {
                deviceNote = Optional.of(SLX_DNBD3_DEVICE + "=" + deviceText + " names the dnbd3 kernel module's device;"
                        + " slx-netboot's root daemon serves the image on " + device + " instead");
            }
        } else {
            problems.add(where(SLX_DNBD3_DEVICE) + ": '" + deviceText + "' is not /dev/nbdN (or the seed's /dev/dnbdN)");
        }
        String image = value(SLX_DNBD3_IMAGE);
        if (image.isEmpty()) {
            problems.add(SLX_DNBD3_IMAGE + " is not set: the config must name the image to boot");
        } else if (image.startsWith("/") || List.of(image.split("/")).contains("..") || image.chars().anyMatch(c -> c < 32)) {
            problems.add(where(SLX_DNBD3_IMAGE) + ": '" + image + "' is not an image name (no leading '/', no '..')");
        }
        Optional<String> systemPartition = optional(SLX_SYSTEM_PARTITION_IDENTIFIER);
        List<String> preparation = words(SLX_SYSTEM_PARTITION_PREPARATION_SCRIPT);
        Optional<String> writable = optional(SLX_WRITABLE_DEVICE_IDENTIFIER);
        Duration timeout = Duration.ofSeconds(number(SLX_WRITABLE_DEVICE_IDENTIFIER_TIMEOUT_IN_SECONDS, 0, 3600));
        List<String> create = words(SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CREATE_COMMAND);
        List<String> check = words(SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CHECK_COMMAND);
        long maxFileMb = number(SLX_WRITABLE_DEVICE_STORAGE_MAXIMUM_FILE_SIZE_IN_MB, 0, 1L << 30);
        Optional<Path> cowFile = optional(SLX_WRITABLE_DEVICE_STORAGE_FILE_PATH).flatMap(this::cowFilePath);
        boolean persistent = yesNo(SLX_WRITABLE_DEVICE_PERSISTENT);
        List<String> fstabScript = words(SLX_GENERATE_FSTAB_SCRIPT);
        long ramKb = number(SLX_RAMDISK_SIZE_IN_KB, 1024, 1L << 40);
        List<String> mountOptions = words(SLX_MOUNT_ROOT_OPTIONS);
        Optional<Path> logFile = absolutePath(SLX_LOG_FILE_PATH);

        Map<String, String> others = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (!SlxVariable.isKnown(name)) {
                others.put(name, value);
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("config " + parsed.source() + ": " + String.join("; ", problems));
        }
        return new SlxConfig(location, servers, fallback, rid, device, deviceNote, image, systemPartition, preparation,
                writable, timeout, create, check, maxFileMb, cowFile, persistent, fstabScript, ramKb, mountOptions,
                logFile, others, parsed);
    }

    private String value(SlxVariable variable) {
        String value = values.getOrDefault(variable.name(), "");
        return value.isEmpty() ? variable.defaultValue().orElse("") : value;
    }

    private Optional<String> optional(SlxVariable variable) {
        String value = value(variable).strip();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private String where(SlxVariable variable) {
        return parsed.where(variable.name());
    }

    private long number(SlxVariable variable, long min, long max) {
        String text = value(variable).strip();
        if (!text.matches("\\d{1,18}")) {
            problems.add(where(variable) + ": '" + text + "' is not a whole number");
            return min;
        }
        long number = Long.parseLong(text);
        if (number < min || number > max) {
            problems.add(where(variable) + ": " + number + " is not between " + min + " and " + max);
            return min;
        }
        return number;
    }

    private boolean yesNo(SlxVariable variable) {
        return switch (value(variable).strip().toLowerCase(Locale.ROOT)) {
            case "yes", "true", "1", "on" -> true;
            case "no", "false", "0", "off" -> false;
            default -> {
                problems.add(where(variable) + ": '" + value(variable) + "' is neither yes nor no");
                yield false;
            }
        };
    }

    private List<ServerAddress> servers(SlxVariable variable) {
        try {
            return ServerAddress.parseList(value(variable));
        } catch (IllegalArgumentException e) {
            problems.add(where(variable) + ": " + e.getMessage());
            return List.of();
        }
    }

    private List<String> words(SlxVariable variable) {
        try {
            return Words.split(value(variable));
        } catch (IllegalArgumentException e) {
            problems.add(where(variable) + ": " + e.getMessage());
            return List.of();
        }
    }

    private Optional<Path> absolutePath(SlxVariable variable) {
        String text = value(variable).strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (!text.startsWith("/") || List.of(text.split("/")).contains("..")) {
            problems.add(where(variable) + ": '" + text + "' is not an absolute path without '..'");
            return Optional.empty();
        }
        return Optional.of(Path.of(text).normalize());
    }

    private Optional<Path> cowFilePath(String text) {
        String relative = text.replaceFirst("^/+", "");
        if (relative.isEmpty() || List.of(relative.split("/")).contains("..")) {
            problems.add(where(SLX_WRITABLE_DEVICE_STORAGE_FILE_PATH) + ": '" + text
                    + "' is not a file path inside the partition's filesystem");
            return Optional.empty();
        }
        return Optional.of(Path.of(relative).normalize());
    }
}
