package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Builds the client's initramfs: a jlink'd Java runtime with our jar and an AOT cache (the
 * payload), then dracut with our {@code 90dnbd3-rootfs} module, which copies the payload in.
 *
 * <p>The JVM is tuned to start fast and stay small in an emulated or slow client: C1 only,
 * serial GC, no perf data, a small heap and thread stacks, and an AOT cache (JEP 483/514/515)
 * trained at build time with exactly these options.
 */
public final class InitramfsBuilder {

    /** JVM options every slx run in the initramfs uses; the AOT cache is trained with them. */
    static final List<String> JVM_OPTIONS = List.of(
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
            // A small heap with a small young generation, given back after each full collection
            // (the daemon runs one when /sysroot is mounted) all at once, not in steps over
            // several: the daemon's live data is a few caches; its garbage is per-request buffers.
            "-Xms4m", "-Xmx48m", "-XX:MaxNewSize=4m", "-XX:MinHeapFreeRatio=5", "-XX:MaxHeapFreeRatio=20",
            "-XX:-ShrinkHeapInSteps",
            "-Xss256k", "-XX:MaxMetaspaceSize=48m", "-XX:ReservedCodeCacheSize=8m",
            "-XX:CICompilerCount=1",
            // Give the C library's free memory (compiler arenas) back to the system now and then.
            "-XX:TrimNativeHeapInterval=5000",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");
    /**
     * How the daemon maps the cache: kept where it was built ({@code ArchiveRelocationMode=0}).
     * By default the JVM maps it at a random address and rewrites every pointer in it, which
     * turns most of its pages into private (anonymous) copies. In the client those copies are
     * extra RAM, not a swap for the file's pages: the file sits in the initramfs, which is RAM,
     * and after switch_root the daemon keeps the whole deleted file alive as long as it maps it.
     * Measured with bench/daemon-rss.sh (2026-11-24, 19.9 MiB cache): 14.1 MiB of the cache's
     * 18.4 MiB resident were private copies with relocation, 6.9 MiB without (the pages the JVM
     * writes anyway); RSS is the same 51 MiB either way, the client's RAM use 7 MiB higher with
     * relocation, and relocating costs start-up CPU (most under emulation). The price: the
     * cache's address is predictable. It holds class metadata, not code (JDK 25 caches no
     * compiled code), and libjvm, the heap and the stacks stay randomized; for a daemon that
     * serves its own root disk we accept that. If the address is taken, the JVM relocates.
     */
    static final String AOT_CACHE_FILE = "slx.aot";
    /** The daemon's classes the AOT cache does not hold: all the daemon still loads itself. */
    static final String NOT_CACHED_FILE = "not-in-aot-cache.classes";
    static final List<String> AOT_CACHE_OPTIONS = List.of("-XX:AOTCache=" + AOT_CACHE_FILE,
            "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
    static final String MODULE_NAME = "dnbd3-rootfs";
    /**
     * How the initramfs is compressed: lz4 (dracut: {@code lz4 -l -9}, the kernel's legacy lz4
     * format). The kernel unpacks the initramfs before it runs /init, and under emulation its
     * zstd decoder was the slow part: the same 133 MB cpio took 7.4 s with zstd, 4.5 s with
     * gzip, 2.9 s with lz4 and 2.9 s uncompressed (load 20, bench in docs/BENCHMARKS.md, Boot).
     * lz4 makes the file larger (58 MB against zstd's 49 MB), within the 60 MB limit only with
     * the unused jar folders and kernel modules below left out.
     */
    public static final String COMPRESSOR = "lz4";
    /**
     * Folders of our jar the initramfs leaves out: aircompressor's native libraries for its own
     * native mode (5.9 MB for six platforms), which slx never uses: it calls the system's libzstd
     * itself (see {@code ZstdClusterDecompressor}) and otherwise aircompressor's Java decoder.
     */
    static final List<String> UNUSED_JAR_FOLDERS = List.of("aircompressor/");
    /**
     * Kernel modules that dracut's {@code dm} module (all of drivers/md) and its network modules
     * (bonds, teams, bridges, VLANs, tunnels) bring along, which the boot never loads: slx's
     * storage plan uses dm-snapshot (with dm-bufio) over nbd and loop only, and configures one
     * plain Ethernet interface. Every file costs unpacking time at each boot (6 MB here). The
     * NIC drivers stay. dracut omits a module's dependencies only with it, so the kept ones
     * (btrfs needs xor and raid6_pq) are not touched.
     */
    static final List<String> UNUSED_KERNEL_MODULES = List.of(
            "md_mod", "raid0", "raid1", "raid10", "raid456", "linear", "multipath", "faulty", "bcache",
            "dm_raid", "dm_cache", "dm_cache_smq", "dm_era", "dm_thin_pool", "dm_persistent_data",
            "dm_bio_prison", "dm_integrity", "dm_zoned", "dm_writecache", "dm_verity", "dm_crypt",
            "dm_delay", "dm_flakey", "dm_log_userspace", "dm_log_writes", "dm_switch", "dm_unstripe",
            "dm_multipath", "dm_queue_length", "dm_round_robin", "dm_service_time", "dm_mirror",
            "dm_log", "dm_region_hash", "async_tx", "async_memcpy", "async_pq", "async_xor",
            "async_raid6_recov", "reed_solomon",
            "bonding", "tls", "team", "team_mode_activebackup", "team_mode_broadcast",
            "team_mode_loadbalance", "team_mode_random", "team_mode_roundrobin", "vxlan", "geneve",
            "udp_tunnel", "ip6_udp_tunnel", "macsec", "tun", "veth", "vrf", "ipvlan", "macvlan",
            "xen_netback", "bridge", "stp", "llc", "8021q", "garp", "mrp");
    static final Path JDK = Path.of(System.getProperty("slx.jdk", "/usr/lib/jvm/temurin-25-jdk-amd64"));

    /**
     * What to build.
     *
     * @param jar our shaded jar (what ./slx runs)
     * @param moduleFolder the dracut module ({@code dracut/modules.d/90dnbd3-rootfs})
     * @param workDir scratch space for the payload and dracut's private copy
     */
    public record Options(Kernel kernel, Path output, Path jar, Path moduleFolder, Path workDir) {
    }

    /** What went into the initramfs. */
    public record Report(Path output, long bytes, Kernel kernel, List<String> javaModules,
            long runtimeBytes, long jarBytes, long aotCacheBytes, List<String> dracutModules,
            List<String> kernelModules) {
    }

    private InitramfsBuilder() {
    }

    public static Report build(Options options, Consumer<String> progress) throws IOException {
        return build(options, Dracut.Installation.system(), progress);
    }

    /** Builds with the given dracut (e.g. {@link DracutNg}'s) instead of the system's. */
    public static Report build(Options options, Dracut.Installation dracut, Consumer<String> progress)
            throws IOException {
        Path payload = options.workDir().resolve("payload");
        Dracut.deleteTree(payload);
        Files.createDirectories(payload);

        List<String> javaModules = javaModules(options.jar());
        progress.accept("jlink: a Java runtime with " + String.join(", ", javaModules));
        Path runtime = payload.resolve("runtime");
        Tool.of(JDK.resolve("bin/jlink").toString(), "--add-modules", String.join(",", javaModules),
                // Compressed: after switch_root the deleted file stays in RAM as long as the daemon
                // maps it; the classes the boot needs come from the AOT cache, not from here.
                "--compress=zip-6",
                "--strip-debug", "--no-header-files", "--no-man-pages", "--strip-native-commands",
                "--output", runtime.toString()).run();
        // The launcher is all we run; --strip-native-commands removed it too, so put it back.
        Files.createDirectories(runtime.resolve("bin"));
        Files.copy(JDK.resolve("bin/java"), runtime.resolve("bin/java"));
        for (String unused : List.of("lib/jrt-fs.jar", "lib/classlist", "lib/jexec", "lib/ct.sym")) {
            Files.deleteIfExists(runtime.resolve(unused));
        }
        stripNativeLibraries(runtime);
        copyJarWithout(options.jar(), payload.resolve("slx.jar"), UNUSED_JAR_FOLDERS);

        progress.accept("AOT cache: training run of the root daemon on loopback");
        trainAotCache(payload);
        List<String> runtimeOptions = new ArrayList<>(JVM_OPTIONS);
        runtimeOptions.addAll(AOT_CACHE_OPTIONS);
        Files.write(payload.resolve("jvm.args"), runtimeOptions);
        writeNotCachedClasses(payload, runtimeOptions);

        progress.accept(dracut.name() + ": kernel " + options.kernel().version() + ", module " + MODULE_NAME);
        Path partial = options.output().resolveSibling(options.output().getFileName() + ".partial");
        String log = new Dracut(options.workDir())
                .using(dracut)
                .addModuleFolder(options.moduleFolder())
                .modules("base", "systemd-initrd", "dracut-systemd", MODULE_NAME)
                .omitDrivers(UNUSED_KERNEL_MODULES)
                .compress(COMPRESSOR)
                .env("SLX_PAYLOAD", payload.toAbsolutePath().toString())
                .args("--verbose")
                .build(options.kernel(), partial);
        Files.move(partial, options.output(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(options.workDir().resolve("dracut.log"), log);

        return new Report(options.output(), Files.size(options.output()), options.kernel(),
                javaModules, folderSize(runtime), Files.size(payload.resolve("slx.jar")),
                Files.size(payload.resolve("slx.aot")), includedDracutModules(log),
                includedKernelModules(options.output()));
    }

    /** java.base plus what jdeps finds the jar needs. */
    static List<String> javaModules(Path jar) throws IOException {
        String out = Tool.of(JDK.resolve("bin/jdeps").toString(), "--multi-release", "25",
                "--ignore-missing-deps", "--print-module-deps", jar.toString()).run().strip();
        Set<String> modules = new LinkedHashSet<>(List.of("java.base"));
        String last = out.lines().reduce((a, b) -> b).orElse("");
        modules.addAll(Arrays.stream(last.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
        return List.copyOf(modules);
    }

    /** Copies a jar without the entries under {@code folders}, keeping the others' order. */
    static void copyJarWithout(Path from, Path to, List<String> folders) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (ZipEntry entry : java.util.Collections.list(in.entries())) {
                if (folders.stream().anyMatch(entry.getName()::startsWith)) {
                    continue;
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setLastModifiedTime(entry.getLastModifiedTime());
                out.putNextEntry(copy);
                try (var data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    private static void stripNativeLibraries(Path runtime) throws IOException {
        if (!Tool.exists("strip")) {
            return;
        }
        // The symbol tables go too (libjvm.so: 5 MiB); the dynamic symbols the linker needs stay.
        List<String> command = new ArrayList<>(List.of("strip", "--strip-unneeded"));
        try (var files = Files.walk(runtime)) {
            files.filter(p -> p.toString().endsWith(".so")).forEach(p -> command.add(p.toString()));
        }
        Tool.of(command).run();
    }

    /**
     * Runs the training command once with {@code -XX:AOTCacheOutput}: classes it loads and links,
     * and method profiles, go into slx.aot. The class path is relative ("slx.jar") and the work
     * folder is the payload, as in the initramfs, so the cache is valid there.
     */
    private static void trainAotCache(Path payload) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(payload.resolve("runtime/bin/java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-XX:AOTCacheOutput=slx.aot", "-Xlog:aot=error", "-Xlog:cds=error",
                "-cp", "slx.jar", "org.openslx.netboot.boot.DaemonMain", "--train"));
        Tool.of(command).in(payload).timeout(Duration.ofMinutes(5)).run();
        if (!Files.exists(payload.resolve("slx.aot"))) {
            throw new IOException("the AOT cache training run ended without writing slx.aot");
        }
    }

    private static final Pattern ARCHIVED_APP_CLASS = Pattern.compile("^\\s*\\d+: (\\S+) app_loader$", Pattern.MULTILINE);

    /**
     * Lists the daemon's classes that the AOT cache lacks (those the training did not load, or
     * could not archive), asking the payload's own JVM what the cache holds. Without the list
     * the daemon preloads every class of its packages, as it does when the cache is not used.
     */
    private static void writeNotCachedClasses(Path payload, List<String> runtimeOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(payload.resolve("runtime/bin/java").toString());
        command.addAll(runtimeOptions);
        command.addAll(List.of("-XX:+PrintSharedArchiveAndExit", "-cp", "slx.jar"));
        String listing = Tool.of(command).in(payload).timeout(Duration.ofMinutes(2)).run();
        Set<String> archived = new java.util.HashSet<>();
        Matcher m = ARCHIVED_APP_CLASS.matcher(listing);
        while (m.find()) {
            archived.add(m.group(1));
        }
        if (archived.isEmpty()) {
            return; // not understood: the daemon preloads everything
        }
        List<String> missing = ClassPreloader.daemonClassNames(payload.resolve("slx.jar")).stream()
                .filter(name -> !archived.contains(name)).toList();
        Files.write(payload.resolve(NOT_CACHED_FILE), missing);
    }

    private static final Pattern INCLUDING = Pattern.compile("\\*\\*\\* Including module: (\\S+) \\*\\*\\*");

    static List<String> includedDracutModules(String dracutLog) {
        List<String> modules = new ArrayList<>();
        Matcher m = INCLUDING.matcher(dracutLog);
        while (m.find()) {
            modules.add(m.group(1));
        }
        return modules;
    }

    /** The kernel modules among the initramfs's files that our module asks for. */
    private static List<String> includedKernelModules(Path image) {
        try {
            String listing = Tool.of("lsinitrd", image.toString()).run();
            List<String> found = new ArrayList<>();
            for (String wanted : List.of("nbd", "dm-mod", "dm-snapshot", "loop", "virtio_net", "virtio_blk")) {
                if (listing.contains("/" + wanted + ".ko")) {
                    found.add(wanted);
                }
            }
            return found;
        } catch (IOException e) {
            return List.of();
        }
    }

    static long folderSize(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }
}
