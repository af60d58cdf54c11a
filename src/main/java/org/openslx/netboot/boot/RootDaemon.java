package org.openslx.netboot.boot;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.openslx.netboot.dnbd3.client.Dnbd3Source;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;
import org.openslx.netboot.stage3.cmdline.BootCommandLineParser;
import org.openslx.netboot.stage3.exec.Executor;
import org.openslx.netboot.stage3.exec.ImageAttacher;
import org.openslx.netboot.stage3.exec.ProcessCommandRunner;
import org.openslx.netboot.stage3.fetch.BootServerUrls;
import org.openslx.netboot.stage3.fetch.FetchResult;
import org.openslx.netboot.stage3.fetch.HttpFetcher;
import org.openslx.netboot.stage3.fetch.RetryPolicy;
import org.openslx.netboot.stage3.machine.BootClock;
import org.openslx.netboot.stage3.machine.SysfsMachineProbe;
import org.openslx.netboot.stage3.machine.SystemUuid;
import org.openslx.netboot.stage3.network.BootNetwork;
import org.openslx.netboot.stage3.network.BootNetworkResolver;
import org.openslx.netboot.stage3.network.GeneratedFile;
import org.openslx.netboot.stage3.network.NetworkdFiles;
import org.openslx.netboot.stage3.plan.Stage3Plan;
import org.openslx.netboot.stage3.plan.Stage3Planner;
import org.openslx.netboot.stage3.plan.Step;
import org.openslx.netboot.stage3.stage4.Stage4Planner;

/**
 * slx's root storage daemon, started by the dracut module's cmdline hook as {@code @slx-daemon}.
 * One JVM carries the boot from the kernel command line to a mounted {@code /sysroot}, with the
 * stage3 logic doing the deciding: network files for systemd-networkd, the wait for the network,
 * the SLX config, the stage3 plan run by its executor, whose image step this daemon answers by
 * serving the image (dnbd3 → qcow2 → NBD) on /dev/nbd0. Then it keeps serving in stage4.
 *
 * <p>It talks to the dracut hooks through files in its state folder (/run/slx): it writes
 * {@code network-online} when the network is
 * up, {@code root-ready} when /sysroot is ready or {@code failed} with one sentence when it gave up.
 */
public final class RootDaemon {
    static final Path NETWORKD_DIR = Path.of("/run/systemd/network");
    static final Path SAVED_CONFIG = Path.of("/etc/openslx");

    public record Options(Path cmdlineFile, Path stateDir, Duration networkWait) {
    }

    private final Options options;
    private final AtomicReference<RootImage> served = new AtomicReference<>();

    public RootDaemon(Options options) {
        this.options = options;
    }

    /** Runs the boot; returns only on failure (after writing {@code failed}), else serves forever. */
    public int run() throws InterruptedException {
        double started = BootLog.processStartUptime();
        BootLog.info("root daemon up, JVM started in %.2f s (process start at %.2f s)"
                .formatted(BootLog.uptime() - started, started));
        DaemonLogging.toConsole();
        Consumer<String> log = stage3Log();
        Thread preload = null;
        try {
            Files.createDirectories(options.stateDir());
            String cmdlineText = Files.readString(options.cmdlineFile()).strip();
            BootCommandLine cmdline = BootCommandLineParser.parse(cmdlineText);
            BreakPoints breaks = new BreakPoints(cmdline.debug().breakBefore());
            breaks.before("network");
            configureNetwork(BootNetworkResolver.resolve(cmdline));
            // Only now: the preloading would compete for the CPU with the network set-up above (and
            // with udev's coldplug); while the network comes up the daemon is idle anyway.
            preload = Thread.ofPlatform().name("preload").start(RootDaemon::preload);
            awaitNetwork();
            breaks.before("config");
            Config config = fetchConfig(cmdline, log);
            Files.writeString(SAVED_CONFIG, config.text());
            ProcessCommandRunner runner = new ProcessCommandRunner();
            SysfsMachineProbe machine = new SysfsMachineProbe(Path.of("/"), runner, BootClock.real());
            Stage3Plan plan = Stage3Planner.plan(cmdlineText, config.source(), config.text(), machine, true, log);
            plan.warnings().forEach(w -> log.accept("warning: " + w));
            try (HttpFetcher fetcher = new HttpFetcher(RetryPolicy.BOOT.withTotalBudget(Duration.ofSeconds(60)), log)) {
                Executor executor = new Executor(Path.of("/"), runner, machine, attacher(), fetcher, log,
                        cmdline.debug().verbose());
                breaks.before("storage");
                executor.run(plan.storage().steps());
                breaks.before("stage4");
                executor.run(plan.stage4Steps());
            }
            RootImage image = served.get();
            if (image == null) {
                throw new IOException("the stage3 plan finished without attaching the image");
            }
            BootLog.info("root mounted: /sysroot is ready for stage4");
            preload.join();
            breaks.before("pivot");
            Files.writeString(options.stateDir().resolve("root-ready"), "");
            signalInitqueue();
            // Start stage4 with the heap shrunk to what is live (MaxHeapFreeRatio gives the rest back);
            // after root-ready, so the collection overlaps systemd's switch_root work instead of delaying it.
            System.gc();
            serveForever(image);
        } catch (IOException | RuntimeException e) {
            fail(e.getMessage() == null ? e.toString() : e.getMessage());
            RootImage image = served.get();
            if (image != null) {
                // Whatever already uses /dev/nbd0 (a mounted /sysroot) must not see I/O errors,
                // and the admin in the emergency shell may want to look at it.
                BootLog.info("keeping " + image.device() + " served for the emergency shell");
                serveForever(image);
            }
            return 1;
        }
        return 0;
    }

    /** The executor's image step: serve the image on the plan's device, from this process. */
    private ImageAttacher attacher() {
        return (Step.AttachImage step) -> {
            if (served.get() != null) {
                throw new IOException("the image is already attached to " + served.get().device());
            }
            Dnbd3Source image = ImageTransport.open(step);
            try {
                RootImage root = RootImage.attach(image, image::statistics, options.stateDir().resolve("nbd.sock"),
                        step.device().toString());
                served.set(root);
                BootLog.info("root device %s: %s, %d MiB, served by this daemon"
                        .formatted(root.device(), root.describe(), root.sizeBytes() >> 20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while attaching the image", e);
            }
        };
    }

    /**
     * Writes the networkd files for the boot interface. The daemon starts from the cmdline hook, so
     * this usually happens during udev's coldplug, before anything starts systemd-networkd, which
     * then starts once with the files. Only when networkd already runs is it restarted through
     * PID 1 to read them (no D-Bus this early for {@code networkctl reload}).
     */
    private void configureNetwork(BootNetwork network) throws IOException {
        Files.createDirectories(NETWORKD_DIR);
        for (GeneratedFile file : NetworkdFiles.forInitramfs(network)) {
            Files.writeString(NETWORKD_DIR.resolve(file.name()), file.content());
        }
        // udevd reads .link files when it starts and then looks for changes at most every 3 s:
        // a NIC event inside that window kept the kernel's name (ens2, not boot0) in the tests.
        try {
            Commands.run("udevadm", "control", "--timeout=5", "--reload");
        } catch (IOException e) {
            // udevd is not running yet: it reads the files when it starts
        }
        if (networkdRunning()) {
            BootLog.info("network: systemd-networkd started before its files were written: restarting it");
            Commands.run("systemctl", "restart", "systemd-networkd.service");
        }
        network.warnings().forEach(w -> BootLog.info("network: warning: " + w));
        BootLog.info("network: systemd-networkd configured for "
                + network.mac().map(m -> "the interface with MAC " + m).orElse("every Ethernet interface"));
    }

    private static boolean networkdRunning() {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().command()
                .filter(command -> command.endsWith("/systemd-networkd")).isPresent());
    }

    private static final List<Path> WAIT_ONLINE = List.of(Path.of("/usr/lib/systemd/systemd-networkd-wait-online"),
            Path.of("/lib/systemd/systemd-networkd-wait-online"));

    /**
     * The seed's active wait: until systemd-networkd reports the boot network online. One run of
     * systemd-networkd-wait-online, which returns the moment it is; then {@code network-online} for
     * the hooks.
     */
    private void awaitNetwork() throws IOException, InterruptedException {
        Path waitOnline = WAIT_ONLINE.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IOException("systemd-networkd-wait-online is missing from the initramfs"));
        long seconds = options.networkWait().toSeconds();
        Process wait = new ProcessBuilder(waitOnline.toString(), "-q", "--timeout=" + seconds)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!wait.waitFor(seconds + 10, java.util.concurrent.TimeUnit.SECONDS)) {
            wait.destroyForcibly();
        }
        if (wait.isAlive() || wait.exitValue() != 0) {
            throw new IOException("the network did not come up within " + seconds
                    + " s (systemd-networkd-wait-online never succeeded): check the cable, DHCP and ip=");
        }
        Files.writeString(options.stateDir().resolve("network-online"), "");
        BootLog.info("network up");
    }

    private record Config(String source, String text) {
    }

    /** The SLX config from the first boot server that has it, with the boot's retry policy. */
    private static Config fetchConfig(BootCommandLine cmdline, Consumer<String> log) throws IOException {
        if (cmdline.configServers().isEmpty()) {
            throw new IOException("the kernel command line has no slxsrv=: there is no server to fetch the config from");
        }
        Optional<String> uuid = SystemUuid.read(Path.of("/"));
        List<URI> urls = BootServerUrls.of(cmdline.configServers(), cmdline.basePath().orElse(""), "config", uuid);
        try (HttpFetcher fetcher = new HttpFetcher(RetryPolicy.BOOT, log)) {
            return switch (fetcher.fetch("config", urls)) {
                case FetchResult.Fetched f -> {
                    BootLog.info("config: fetched from " + f.from());
                    yield new Config(f.from().toString(), new String(f.body(), StandardCharsets.UTF_8));
                }
                case FetchResult.Absent a -> throw new IOException("no boot server has a config at " + urls.getFirst()
                        + " (HTTP 404 from every server): check slxbase=");
            };
        }
    }

    /** dracut 059 keeps its hooks under /lib, dracut-ng under /var/lib (with or without a link). */
    private static final List<Path> INITQUEUE_FOLDERS = List.of(Path.of("/lib/dracut/hooks/initqueue"),
            Path.of("/var/lib/dracut/hooks/initqueue"));

    /**
     * Tells dracut's initqueue to look at its finished hooks now: its loop waits in {@code udevadm
     * settle --exit-if-exists=.../initqueue/work} until udev is idle (still busy with the new dm
     * device's events) and then sleeps half a second between looks.
     */
    private static void signalInitqueue() {
        for (Path folder : INITQUEUE_FOLDERS) {
            try {
                if (Files.isDirectory(folder)) {
                    Files.writeString(folder.resolve("work"), "");
                }
            } catch (IOException e) {
                // The initqueue finds root-ready on its next look anyway.
            }
        }
    }

    /** Stage3's log lines: on the console (as slx lines) and in the stage3 log stage4 keeps. */
    private static Consumer<String> stage3Log() {
        return line -> {
            BootLog.info("stage3: " + line);
            try {
                Files.createDirectories(Stage4Planner.STAGE3_LOG.getParent());
                Files.writeString(Stage4Planner.STAGE3_LOG, line + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                // The console has the line; a missing log file must not stop the boot.
            }
        };
    }

    /** Stays alive serving the root device; reports what it fetched on SIGUSR1 and now and then. */
    private static void serveForever(RootImage image) throws InterruptedException {
        Runnable report = () -> {
            BootLog.info("serving %s: %d bytes fetched in %d reads, %s; %s".formatted(image.device(),
                    image.bytesFetched(), image.readsFetched(), image.transportStatus(), ProcessMemory.describe()));
            BootLog.info("read timings: " + image.readTimings());
        };
        StatusSignal.onUsr1(report);
        report.run();
        long lastReported = image.bytesFetched();
        while (true) {
            Thread.sleep(10_000);
            if (image.bytesFetched() != lastReported) {
                lastReported = image.bytesFetched();
                report.run();
            }
        }
    }

    /**
     * Loads every class ahead of switch_root, after which the jar and runtime files are gone, and
     * sets up the qcow2 decoder's zstd support, which would otherwise hold up the image's opening.
     */
    private static void preload() {
        try {
            double started = BootLog.uptime();
            DecoderWarmup.run();
            BootLog.info("qcow2 zstd decoder set up in %.2f s".formatted(BootLog.uptime() - started));
        } catch (IOException | RuntimeException e) {
            BootLog.info("could not set up the qcow2 zstd decoder ahead (it is set up with the image): " + e);
        }
        try {
            Path jar = ClassPreloader.ownJar();
            var result = ClassPreloader.preloadWithCache(jar, jar.resolveSibling(InitramfsBuilder.AOT_CACHE_FILE),
                    jar.resolveSibling(InitramfsBuilder.NOT_CACHED_FILE));
            BootLog.info("preloaded %d classes (%d optional ones skipped) for life after switch_root%s"
                    .formatted(result.loaded(), result.skipped(),
                            result.cacheHoldsTheRest() ? "; the AOT cache loaded the others" : ""));
        } catch (IOException e) {
            BootLog.info("could not preload classes: " + e.getMessage());
        }
    }

    private void fail(String reason) {
        BootLog.info("FAILED: " + reason);
        try {
            Files.createDirectories(options.stateDir());
            Files.writeString(options.stateDir().resolve("failed"), reason + "\n");
        } catch (IOException e) {
            BootLog.info("could not record the failure in " + options.stateDir() + ": " + e.getMessage());
        }
    }

    /** The AOT cache's training run: exercise the daemon's code paths without a machine. */
    public static int train() throws InterruptedException {
        BootLog.info("training run (builds the AOT cache)");
        DaemonLogging.toConsole();
        try {
            Training.run();
        } catch (IOException | RuntimeException e) {
            BootLog.info("training: " + e + " (the cache covers less; the build goes on)");
        }
        preload();
        return 0;
    }
}
