package org.openslx.netboot.boot;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code ./slx demo}: from a fresh checkout to a client that booted its root over the network.
 * Installs the Debian packages it needs, builds the stage4 image and the initramfs, starts the
 * boot server on loopback, boots one emulated client and watches its console, and ends with a
 * summary of the boot. Exits 0 only when the client reached stage4 and verified its data.
 */
public final class Demo {

    /**
     * @param workDir where images, the initramfs and the console log go (kept for inspection)
     * @param terminal whether a person watches: then the client's console is shown live
     */
    public record Options(Path workDir, boolean terminal, boolean installDependencies, Duration bootLimit,
            int compareRounds) {
    }

    private final Options options;
    private final PrintStream out;
    private final long started = System.nanoTime();

    public Demo(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public int run() throws IOException, InterruptedException {
        Files.createDirectories(options.workDir());
        if (options.installDependencies()) {
            step("Debian packages: qemu (the client VM), dracut (its initramfs), a kernel, busybox and "
                    + "mkfs/sgdisk (the stage4 image), nbd-client and dmsetup (run in the client)");
            installDependencies();
        }
        Kernel kernel = Kernel.preferred();

        step("stage4 image: GPT disk, ext4 partition SLX_SYS with busybox, a test init and 32 MiB of data, as zstd qcow2");
        Stage4Image image = Stage4Image.build(options.workDir().resolve("stage4"), 32, "zstd");
        say("  %s (%s), data checksum %s…".formatted(image.qcow2(), mib(Files.size(image.qcow2())),
                image.dataSha256().substring(0, 16)));

        step("initramfs: dracut with our 90dnbd3-rootfs module and a jlink'd Java runtime (kernel " + kernel.version() + ")");
        Path initrd = initramfs(kernel);
        say("  %s (%s)".formatted(initrd, mib(Files.size(initrd))));

        step("boot server: slx server on 127.0.0.1 with the image as revision 1, the kernel and the initramfs"
                + " (the client reaches it as " + QemuClient.HOST_FROM_GUEST + ")");
        try (BootSite site = BootSite.start(options.workDir().resolve("srv"), image, kernel, initrd,
                Map.of("SLX_RAMDISK_SIZE_IN_KB", "262144", "SLX_WRITABLE_DEVICE_IDENTIFIER_TIMEOUT_IN_SECONDS", "0"))) {
            say("  data folder " + site.data() + ", port " + site.port() + "; status page http://127.0.0.1:"
                    + site.port() + "/");
            // SLX_DEMO_APPEND: extra kernel parameters for a diagnostic boot (e.g. systemd.log_target=kmsg,
            // which stamps every unit's start and stop with the kernel's clock on the console).
            String append = site.pxeKernelLine(System.getenv().getOrDefault("SLX_DEMO_APPEND", "").strip());
            step("client: qemu, software emulation, 2 CPUs, 1 GiB; kernel line: " + append);
            BootTranscript boot = boot(kernel, initrd, append, "console.log");
            int status = summarize(boot, image, initrd);
            if (options.compareRounds() > 0) {
                compareWithBaseline(kernel, image, initrd, append, boot);
            }
            return status;
        }
    }

    /**
     * The benchmark: dracut's own nbd module booting the same disk from qemu-nbd, same VM and
     * kernel, alternating with our boot so both see the same load on the host.
     */
    private void compareWithBaseline(Kernel kernel, Stage4Image image, Path initrd, String append,
            BootTranscript firstOurs) throws IOException, InterruptedException {
        step("benchmark: %d round(s) of baseline (dracut 95nbd + qemu-nbd, raw) and slx, alternating"
                .formatted(options.compareRounds()));
        Path baselineInitrd = BaselineBoot.initramfs(kernel, options.workDir());
        java.util.List<BootTranscript> ours = new java.util.ArrayList<>(List.of(firstOurs));
        java.util.List<BootTranscript> baseline = new java.util.ArrayList<>();
        for (int round = 1; round <= options.compareRounds(); round++) {
            try (QemuNbd nbd = QemuNbd.serve(image.raw())) {
                baseline.add(boot(kernel, baselineInitrd, BaselineBoot.kernelCommandLine(nbd.port()),
                        "baseline-" + round + ".log"));
            }
            if (round > 1) {
                ours.add(boot(kernel, initrd, append, "slx-" + round + ".log"));
            }
        }
        out.println();
        out.println("  phase (s since kernel start, median)   baseline      slx");
        Map<String, Double> b = BootBenchmark.medians(baseline);
        Map<String, Double> o = BootBenchmark.medians(ours);
        for (String phase : BootBenchmark.phaseNames(b, o)) {
            out.printf("  %-36s %9s %8s%n", phase, BootBenchmark.format(b.get(phase)), BootBenchmark.format(o.get(phase)));
        }
        Double bs = b.get("stage4 init");
        Double os = o.get("stage4 init");
        if (bs != null && os != null) {
            out.printf("  time to stage4: slx %.1f s vs baseline %.1f s = %.2fx%n", os, bs, os / bs);
        }
        out.printf("  initramfs: slx %s, baseline %s%n", mib(Files.size(initrd)), mib(Files.size(baselineInitrd)));
    }

    private void installDependencies() throws IOException {
        Path script = ProjectFiles.root().resolve("scripts/install-deps.sh");
        String output = Tool.of(script.toString()).timeout(Duration.ofMinutes(20)).run();
        output.lines().forEach(line -> say("  " + line));
    }

    /** Builds the initramfs, or reuses the last one if the jar, module and kernel are unchanged. */
    private Path initramfs(Kernel kernel) throws IOException {
        Path dir = options.workDir().resolve("initramfs");
        Files.createDirectories(dir);
        Path image = dir.resolve("slx-initramfs-" + kernel.version() + ".img");
        Path keyFile = dir.resolve("inputs.sha256");
        String key = inputsKey(kernel);
        if (Files.exists(image) && Files.exists(keyFile) && Files.readString(keyFile).equals(key)) {
            say("  unchanged since the last build, reused");
            return image;
        }
        var report = InitramfsBuilder.build(new InitramfsBuilder.Options(kernel, image, ProjectFiles.jar(),
                ProjectFiles.moduleFolder(), dir), line -> say("  " + line));
        say("  dracut modules: " + String.join(" ", report.dracutModules()));
        say("  java runtime %s (%s), AOT cache %s".formatted(mib(report.runtimeBytes()),
                String.join(",", report.javaModules()), mib(report.aotCacheBytes())));
        Files.writeString(keyFile, key);
        return image;
    }

    private static String inputsKey(Kernel kernel) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(ProjectFiles.jar()));
            try (var files = Files.walk(ProjectFiles.moduleFolder())) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    sha.update(f.getFileName().toString().getBytes());
                    sha.update(Files.readAllBytes(f));
                }
            }
            sha.update(kernel.version().getBytes());
            sha.update(String.join(" ", InitramfsBuilder.JVM_OPTIONS).getBytes());
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private BootTranscript boot(Kernel kernel, Path initrd, String append, String logName)
            throws IOException, InterruptedException {
        Path console = options.workDir().resolve(logName);
        Set<String> announced = ConcurrentHashMap.newKeySet();
        var vmOptions = QemuClient.Options.directBoot(kernel, initrd, append, console).withLimit(options.bootLimit());
        try (QemuClient vm = QemuClient.start(vmOptions, line -> showProgress(line, announced))) {
            vm.awaitLine(Pattern.compile("reboot: Power down|Kernel panic|Entering emergency mode|dracut-emergency"),
                    options.bootLimit());
            if (vm.isAlive()) {
                vm.awaitLine(Pattern.compile("reboot: Power down"), Duration.ofSeconds(20));
            }
            vm.close();
            say("  console log: " + console);
            return new BootTranscript(vm.lines());
        }
    }

    /** On a terminal: the console itself; always: one line per boot phase reached. */
    private void showProgress(String line, Set<String> announced) {
        if (options.terminal()) {
            say("  │ " + line);
        }
        BootTranscript soFar = new BootTranscript(List.of(line));
        for (var phase : soFar.milestones().entrySet()) {
            if (announced.add(phase.getKey())) {
                say("  ▶ %-30s at %6.1f s".formatted(phase.getKey(), phase.getValue()));
            }
        }
    }

    private int summarize(BootTranscript boot, Stage4Image image, Path initrd) throws IOException {
        boolean verified = boot.stage4Sha256().map(image.dataSha256()::equals).orElse(false)
                && boot.writeReadBackOk() && boot.ioErrors().isEmpty();
        out.println();
        out.println(verified
                ? "slx demo: the client booted its root over the network, reached stage4 and verified its data."
                : "slx demo: the client did NOT verify its data in stage4; see the console log above.");
        out.println();
        out.println("  boot phase                      at (s)  step (s)");
        double previous = 0;
        for (Map.Entry<String, Double> phase : boot.milestones().entrySet()) {
            out.printf("  %-30s %7.1f %8.1f%n", phase.getKey(), phase.getValue(), phase.getValue() - previous);
            previous = phase.getValue();
        }
        out.println();
        out.printf("  %-16s %s%n", "data checksum", boot.stage4Sha256().map(s -> s.equals(image.dataSha256())
                ? "matches the image (" + s.substring(0, 16) + "…)" : "WRONG: " + s).orElse("not reached"));
        out.printf("  %-16s %s%n", "bytes fetched", boot.bytesFetched().stream()
                .mapToObj(Demo::mib).findFirst().orElse("unknown"));
        out.printf("  %-16s %s%n", "COW used", boot.cowAllocatedKib()
                .map(c -> mib(c.getValue() * 1024) + " in " + c.getKey()).orElse("unknown"));
        out.printf("  %-16s %s%n", "daemon RSS", boot.daemonRssKib().stream()
                .mapToObj(k -> mib(k * 1024) + " (" + boot.daemonName().orElse("?") + ")").findFirst().orElse("unknown"));
        out.printf("  %-16s %s%n", "initramfs", mib(Files.size(initrd)));
        out.printf("  %-16s %s%n", "I/O errors", boot.ioErrors().isEmpty() ? "none" : String.join(" | ", boot.ioErrors()));
        out.printf("  %-16s %.0f s%n", "demo took", (System.nanoTime() - started) / 1e9);
        return verified ? 0 : 1;
    }

    private void step(String what) {
        out.printf("%n[%5.0f s] %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    private void say(String line) {
        out.println(line);
    }

    static String mib(long bytes) {
        return "%.1f MiB".formatted(bytes / 1048576.0);
    }
}
