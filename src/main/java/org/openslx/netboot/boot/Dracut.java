package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the system's dracut against a private copy of its module folder ({@code dracutbasedir}),
 * so our module can be added without touching the system, and with the host's configuration
 * kept out ({@code --no-hostonly --conf /dev/null}, an empty conf dir): the initramfs contains
 * exactly the modules named here.
 */
public final class Dracut {
    static final Path SYSTEM_BASE = Path.of("/usr/lib/dracut");

    private final Path workDir;
    private final List<Path> extraModules = new ArrayList<>();
    private final List<String> modules = new ArrayList<>();
    private final List<String> drivers = new ArrayList<>();
    private final List<String> omittedDrivers = new ArrayList<>();
    private String compressor = "zstd";
    private final List<String> extraArgs = new ArrayList<>();
    private final Map<String, String> environment = new java.util.HashMap<>();
    private Installation installation = Installation.system();

    /**
     * Which dracut runs: its script, the module folder it is copied from, and the environment it
     * needs (e.g. which {@code dracut-install} binary). The system's dracut by default;
     * {@link DracutNg} unpacks another one into a private folder.
     */
    public record Installation(String name, Path script, Path base, Map<String, String> environment) {
        public Installation {
            environment = Map.copyOf(environment);
        }

        /** The host's dracut (Debian bookworm: 059). */
        public static Installation system() {
            return new Installation("system dracut", Path.of("/usr/bin/dracut"), SYSTEM_BASE, Map.of());
        }
    }

    /** @param workDir a scratch folder for the private dracut copy (replaced on every build) */
    public Dracut(Path workDir) {
        this.workDir = workDir;
    }

    /** Adds a module folder (e.g. {@code dracut/modules.d/90dnbd3-rootfs}) to the private copy. */
    public Dracut addModuleFolder(Path folder) {
        extraModules.add(folder);
        return this;
    }

    /** The dracut modules to include (their dependencies come along). */
    public Dracut modules(String... names) {
        modules.addAll(List.of(names));
        return this;
    }

    /** Kernel modules to include even though no dracut module asks for them. */
    public Dracut drivers(String... names) {
        drivers.addAll(List.of(names));
        return this;
    }

    /**
     * Kernel modules to leave out although a dracut module asks for them. Names with underscores
     * (dracut 059 turns only the first '-' of the whole list into '_').
     */
    public Dracut omitDrivers(List<String> names) {
        omittedDrivers.addAll(names);
        return this;
    }

    /** How the image is compressed ({@code --compress}): zstd unless set. */
    public Dracut compress(String compressor) {
        this.compressor = compressor;
        return this;
    }

    public Dracut args(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /** An environment variable dracut and the modules' {@code module-setup.sh} can read. */
    public Dracut env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Runs this dracut instead of the system's. */
    public Dracut using(Installation dracut) {
        this.installation = dracut;
        return this;
    }

    /** Builds the initramfs; returns dracut's output (its log). */
    public String build(Kernel kernel, Path output) throws IOException {
        if (!Files.isExecutable(installation.script()) || !Files.isDirectory(installation.base())) {
            throw new IOException(installation.equals(Installation.system())
                    ? "dracut is not installed (scripts/install-deps.sh installs dracut)"
                    : installation.name() + " is incomplete: " + installation.script() + " or "
                            + installation.base() + " is missing");
        }
        Path base = workDir.resolve("dracut-base");
        Path confDir = workDir.resolve("dracut-conf.d");
        deleteTree(base);
        Files.createDirectories(confDir);
        copyTree(installation.base(), base);
        for (Path module : extraModules) {
            copyTree(module, base.resolve("modules.d").resolve(module.getFileName()));
        }
        Path absoluteOutput = output.toAbsolutePath();
        Files.createDirectories(absoluteOutput.getParent());
        List<String> command = new ArrayList<>(List.of(installation.script().toString(), "--force", "--no-hostonly",
                "--conf", "/dev/null", "--confdir", confDir.toString(),
                "--no-early-microcode", "--compress", compressor,
                "--kver", kernel.version(), "-m", String.join(" ", modules)));
        if (!drivers.isEmpty()) {
            command.addAll(List.of("--add-drivers", String.join(" ", drivers)));
        }
        if (!omittedDrivers.isEmpty()) {
            command.addAll(List.of("--omit-drivers", String.join(" ", omittedDrivers)));
        }
        command.addAll(extraArgs);
        command.add(absoluteOutput.toString());
        Tool tool = Tool.of(command).timeout(Duration.ofMinutes(10)).env("dracutbasedir", base.toString());
        installation.environment().forEach(tool::env);
        environment.forEach(tool::env);
        String log = tool.run();
        deleteTree(base);
        return log;
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Tool.of("cp", "-a", from.toString() + "/.", to.toString() + "/").run();
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            Tool.of("rm", "-rf", "--one-file-system", dir.toString()).run();
        }
    }

    /** Copies one file, creating parent folders. */
    static void copyFile(Path from, Path to) throws IOException {
        Files.createDirectories(to.toAbsolutePath().getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }
}
