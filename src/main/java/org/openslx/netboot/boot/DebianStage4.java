package org.openslx.netboot.boot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real systemd stage4 for the end-to-end tests: Debian bookworm from {@code debootstrap
 * --variant=minbase} with systemd as init, udev, dbus and systemd-networkd enabled, so the boot
 * meets everything a full distribution does to the root daemon and the boot interface (the
 * switch_root into a real systemd, networkd taking over the interface, the killing spree and
 * unmounting of systemd-shutdown). A unit, {@code slx-stage4-check.service}, prints the same
 * {@code SLX-STAGE4:} lines as the busybox image's init and writes once more when it is stopped
 * at shutdown; {@code slx-stage4-finish.service}, ordered after it, then calls {@code systemctl
 * poweroff} (or {@code reboot} when the kernel command line says {@code slx.test.finish=reboot}).
 *
 * <p>Two caches keep repeated runs cheap: the debootstrap tree under
 * {@code ~/.cache/slx-netboot/} (keyed by suite, mirror and packages; about a minute to build,
 * the download included), and the finished disk in {@code dir} (keyed by the whole recipe).
 * debootstrap and the tree need root; without it every step on the tree goes through
 * {@code sudo -n}.
 */
public final class DebianStage4 {
    static final String SUITE = "bookworm";
    static final List<String> PACKAGES = List.of("systemd", "systemd-sysv", "udev", "dbus", "iproute2");
    /** Passed on the kernel command line, asks the check unit for {@code systemctl reboot}. */
    public static final String REBOOT_SWITCH = "slx.test.finish=reboot";
    private static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";
    private static final String CHECK_SCRIPT = "stage4-systemd-check.sh";
    private static final String CHECK_UNIT = "stage4-systemd-check.service";
    private static final String FINISH_UNIT = "stage4-systemd-finish.service";
    private static final String UNIT_NAME = "slx-stage4-check.service";
    private static final String FINISH_UNIT_NAME = "slx-stage4-finish.service";

    private DebianStage4() {
    }

    public static Stage4Image build(Path dir, int dataMiB, String compression) throws IOException {
        Files.createDirectories(dir);
        String mirror = aptMirror();
        String bootstrapRecipe = SUITE + " minbase " + mirror + " " + String.join(",", PACKAGES);
        Path bootstrapped = bootstrapped(bootstrapRecipe, mirror);
        String recipe = bootstrapRecipe + " " + dataMiB + " " + hash(resource(CHECK_SCRIPT))
                + " " + hash(resource(CHECK_UNIT)) + " " + hash(resource(FINISH_UNIT));
        String key = hash(recipe.getBytes(StandardCharsets.UTF_8)) + " ";
        Path raw = dir.resolve("stage4.raw");
        Path qcow2 = dir.resolve("stage4-" + compression + ".qcow2");
        Path checksumFile = dir.resolve("stage4.sha256");
        String sha;
        if (Files.exists(raw) && Files.exists(checksumFile) && Files.readString(checksumFile).startsWith(key)) {
            sha = Files.readString(checksumFile).substring(key.length()).strip();
        } else {
            Path overlay = dir.resolve("overlay");
            Path tree = dir.resolve("tree");
            Stage4Image.deleteTree(overlay);
            privileged("rm", "-rf", tree.toString());
            sha = writeOverlay(overlay, dataMiB);
            privileged("cp", "-a", "--reflink=auto", bootstrapped.toString(), tree.toString());
            // The overlay's files become root's, as a distribution's files are.
            privileged("cp", "-a", "--no-preserve=ownership", overlay + "/.", tree.toString());
            long usedMiB = Long.parseLong(privileged("du", "-sm", tree.toString()).split("\\s+")[0]);
            long partitionMiB = usedMiB + usedMiB / 4 + 64;
            Stage4Image.assembleDisk(tree, raw, partitionMiB, privilegedPrefix());
            privileged("rm", "-rf", tree.toString());
            Stage4Image.deleteTree(overlay);
            Files.deleteIfExists(qcow2);
            Files.writeString(checksumFile, key + sha + "\n");
        }
        Stage4Image.convertWhenStale(raw, qcow2, compression);
        return new Stage4Image(raw, qcow2, sha, dataMiB * (1L << 20));
    }

    /** The debootstrap tree for {@code recipe}, built once and kept under the user's cache. */
    private static Path bootstrapped(String recipe, String mirror) throws IOException {
        String base = System.getenv("XDG_CACHE_HOME");
        Path cache = (base == null || base.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(base))
                .resolve("slx-netboot").resolve("debootstrap-" + SUITE + "-"
                        + hash(recipe.getBytes(StandardCharsets.UTF_8)).substring(0, 12));
        Path tree = cache.resolve("root");
        Path complete = cache.resolve("complete");
        if (Files.exists(complete)) {
            return tree;
        }
        if (!Tool.exists("debootstrap")) {
            throw new IOException("debootstrap is missing: the Debian stage4 image needs it (scripts/install-deps.sh installs it)");
        }
        Files.createDirectories(cache);
        privileged("rm", "-rf", tree.toString());
        System.err.println("stage4: debootstrap " + SUITE + " (" + String.join(",", PACKAGES) + ") from " + mirror
                + " into " + tree + ", about a minute");
        List<String> command = new ArrayList<>(privilegedPrefix());
        command.addAll(List.of("debootstrap", "--variant=minbase", "--include=" + String.join(",", PACKAGES),
                SUITE, tree.toString(), mirror));
        Tool.of(command).timeout(Duration.ofMinutes(30)).run();
        // What a booted client never needs: package lists and archives, documentation, translations.
        privileged("sh", "-c", "cd '" + tree + "' && rm -rf var/cache/apt/*.bin var/cache/apt/archives/*.deb "
                + "var/lib/apt/lists/* usr/share/doc usr/share/man usr/share/info usr/share/locale");
        Files.writeString(complete, recipe + "\n");
        return tree;
    }

    /**
     * The files added to the Debian tree, in a folder of their own (owned by whoever runs the
     * build): the check script and unit, the unit and systemd-networkd enabled, the data file.
     */
    private static String writeOverlay(Path overlay, int dataMiB) throws IOException {
        Path sbin = Files.createDirectories(overlay.resolve("usr/local/sbin"));
        Files.write(sbin.resolve("slx-stage4-check"), resource(CHECK_SCRIPT));
        Files.setPosixFilePermissions(sbin.resolve("slx-stage4-check"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path units = Files.createDirectories(overlay.resolve("etc/systemd/system"));
        Files.write(units.resolve(UNIT_NAME), resource(CHECK_UNIT));
        // What `systemctl enable` would link; done by hand so the build needs no systemctl.
        Files.write(units.resolve(FINISH_UNIT_NAME), resource(FINISH_UNIT));
        link(units.resolve("multi-user.target.wants").resolve(UNIT_NAME), "/etc/systemd/system/" + UNIT_NAME);
        link(units.resolve("multi-user.target.wants").resolve(FINISH_UNIT_NAME), "/etc/systemd/system/" + FINISH_UNIT_NAME);
        link(units.resolve("multi-user.target.wants/systemd-networkd.service"), "/lib/systemd/system/systemd-networkd.service");
        link(units.resolve("sockets.target.wants/systemd-networkd.socket"), "/lib/systemd/system/systemd-networkd.socket");
        link(units.resolve("network-online.target.wants/systemd-networkd-wait-online.service"),
                "/lib/systemd/system/systemd-networkd-wait-online.service");
        Files.writeString(overlay.resolve("etc/hostname"), "slx-stage4\n");
        Path data = Files.createDirectories(overlay.resolve("data"));
        return Stage4Image.writeRandomData(data.resolve("random.bin"), dataMiB);
    }

    private static void link(Path link, String target) throws IOException {
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(target));
    }

    /**
     * The Debian mirror apt uses on this machine (first non-security entry of
     * /etc/apt/sources.list or sources.list.d, one-line or deb822 form), so the build goes where
     * the machine's network allows.
     */
    static String aptMirror() throws IOException {
        List<Path> files = new ArrayList<>();
        Path list = Path.of("/etc/apt/sources.list");
        if (Files.isRegularFile(list)) {
            files.add(list);
        }
        Path dir = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                entries.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources")).sorted()
                        .forEach(files::add);
            }
        }
        Pattern oneLine = Pattern.compile("^deb\\s+(?:\\[[^]]*\\]\\s+)?(\\S+)\\s+\\S+");
        Pattern deb822 = Pattern.compile("^URIs:\\s*(\\S+)");
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                Matcher m = oneLine.matcher(line.strip());
                Matcher n = deb822.matcher(line.strip());
                String uri = m.find() ? m.group(1) : n.find() ? n.group(1) : null;
                if (uri != null && !uri.contains("security") && uri.startsWith("http")) {
                    return uri;
                }
            }
        }
        return DEFAULT_MIRROR;
    }

    private static String privileged(String... command) throws IOException {
        List<String> full = new ArrayList<>(privilegedPrefix());
        full.addAll(List.of(command));
        return Tool.of(full).timeout(Duration.ofMinutes(10)).run();
    }

    /** Nothing as root; {@code sudo -n} otherwise (fails at once instead of asking for a password). */
    private static List<String> privilegedPrefix() throws IOException {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        return Integer.valueOf(0).equals(uid) ? List.of() : List.of("sudo", "-n");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DebianStage4.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " is missing from the build");
            }
            return in.readAllBytes();
        }
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
