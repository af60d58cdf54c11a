package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openslx.netboot.stage3.fetch.FetchResult;
import org.openslx.netboot.stage3.fetch.HttpFetcher;
import org.openslx.netboot.stage3.machine.BootClock;
import org.openslx.netboot.stage3.machine.MachineSource;
import org.openslx.netboot.stage3.plan.CowState;
import org.openslx.netboot.stage3.plan.Slots;
import org.openslx.netboot.stage3.plan.Step;
import org.openslx.netboot.stage3.storage.PartitionFinder;
import org.openslx.netboot.stage3.tar.SafeExtractor;

/**
 * Runs a plan's steps with the real tools (modprobe, mount, losetup, dmsetup, the config's fsck
 * and mkfs) and Java for everything else. Each step is logged in words before it runs; the first
 * failure stops the run with what failed and what to check, except inside a
 * {@link Step.WithFallback}, whose failure is logged loudly and answered with the fallback.
 *
 * <p>All paths of the plan are taken relative to {@code root}: {@code /} on a real boot, a
 * temporary directory in tests, so file steps can be proven without touching the machine.
 */
public final class Executor {
    private static final Pattern SLOT = Pattern.compile("\\$\\{([a-z.]+)}");
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration DM_NODE_TIMEOUT = Duration.ofSeconds(30);
    // A look costs a sysfs listing and reads from the page cache; the boot waits on every one missed.
    private static final Duration DEVICE_POLL = Duration.ofMillis(200);

    private final Path root;
    private final CommandRunner runner;
    private final MachineSource machine;
    private final ImageAttacher attacher;
    private final HttpFetcher fetcher;
    private final Consumer<String> log;
    private final boolean verbose;
    // Background steps bind slots and may fall back from their own thread.
    private final Map<String, String> slots = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> background = new ConcurrentHashMap<>();
    private volatile Optional<String> fallbackReason = Optional.empty();

    public Executor(Path root, CommandRunner runner, MachineSource machine, ImageAttacher attacher, HttpFetcher fetcher,
                    Consumer<String> log, boolean verbose) {
        this.root = root;
        this.runner = runner;
        this.machine = machine;
        this.attacher = attacher;
        this.fetcher = fetcher;
        this.log = log;
        this.verbose = verbose;
    }

    /** The values the run found for the plan's slots ({@code root}, {@code cow}...). */
    public Map<String, String> slots() {
        return Map.copyOf(slots);
    }

    /** @throws StepFailedException at the first step that fails (outside a fallback) */
    public void run(List<Step> steps) throws StepFailedException {
        runAll(steps, "");
    }

    /** Steps are numbered "7/26" at the top, "7.2/5" inside step 7, "7.fallback.1/5" in its fallback. */
    private void runAll(List<Step> steps, String prefix) throws StepFailedException {
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String position = prefix + (i + 1) + "/" + steps.size();
            if (step instanceof Step.WithFallback fallback) {
                runWithFallback(fallback, position, prefix + (i + 1) + ".");
                continue;
            }
            if (step instanceof Step.InBackground work) {
                startInBackground(work, position, prefix + (i + 1) + ".");
                continue;
            }
            log.accept("step " + position + ": " + step.describe());
            long start = System.nanoTime();
            try {
                execute(step);
            } catch (BackgroundFailure e) {
                throw e.failure;
            } catch (IOException | RuntimeException e) {
                throw new StepFailedException(position, step, reason(e));
            }
            if (verbose) {
                log.accept("step " + position + " done in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
        }
    }

    private void runWithFallback(Step.WithFallback step, String position, String prefix) throws StepFailedException {
        log.accept("step " + position + ": " + step.what());
        try {
            runAll(step.primary(), prefix);
        } catch (StepFailedException e) {
            String banner = "!".repeat(72);
            log.accept(banner);
            log.accept("WARNING: " + step.what() + " failed; falling back. " + e.getMessage());
            log.accept(banner);
            fallbackReason = Optional.of("fell back at run time: " + e.getMessage());
            runAll(step.fallback(), prefix + "fallback.");
        }
    }

    /** Runs the steps on their own thread; {@link Step.AwaitBackground} collects the outcome. */
    private void startInBackground(Step.InBackground work, String position, String prefix) {
        log.accept("step " + position + ": " + work.describe());
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (background.putIfAbsent(work.what(), done) != null) {
            throw new IllegalStateException("background work '" + work.what() + "' started twice");
        }
        Thread.ofPlatform().name("stage3: " + work.what()).daemon().start(() -> {
            try {
                runAll(work.steps(), prefix);
                done.complete(null);
            } catch (StepFailedException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
    }

    private void awaitBackground(Step.AwaitBackground step) throws IOException {
        CompletableFuture<Void> work = background.get(step.what());
        if (work == null) {
            throw new IllegalStateException("background work '" + step.what() + "' was never started");
        }
        try {
            work.join();
        } catch (CompletionException e) {
            // The background step's own failure (which step, why, what to check) is the one to report.
            throw e.getCause() instanceof StepFailedException failed ? new BackgroundFailure(failed)
                    : new IOException(reason((Exception) e.getCause()), e.getCause());
        }
    }

    /** Carries a background step's failure through {@link #execute} unchanged. */
    private static final class BackgroundFailure extends IOException {
        private final StepFailedException failure;

        BackgroundFailure(StepFailedException failure) {
            super(failure.getMessage(), failure);
            this.failure = failure;
        }
    }

    private void execute(Step step) throws IOException {
        switch (step) {
            case Step.LoadKernelModule s -> {
                if (Files.isDirectory(loadedModule(s.module()))) {
                    // modprobe would do nothing (parameters only apply when a module loads), and
                    // each process costs up to seconds in a slow (emulated) client.
                    log.accept(s.module() + " is already loaded");
                    return;
                }
                List<String> argv = new ArrayList<>(List.of("modprobe", s.module()));
                argv.addAll(s.parameters());
                command(argv, Map.of());
            }
            case Step.AttachImage s -> attacher.attach(s);
            case Step.WaitForDevice s -> waitFor(s.timeout(), s.device() + " did not appear",
                    () -> machine.hasDisk(s.device()));
            case Step.FindImagePartition s -> findImagePartition(s);
            case Step.CheckFilesystem s -> checkFilesystem(s);
            case Step.CreateFilesystem s -> command(append(s.createCommand(), path(s.device())), Map.of());
            case Step.MakeDirectory s -> Files.createDirectories(path(s.path()));
            case Step.Mount s -> mount(s);
            case Step.CreateCowFile s -> CowFiles.createCowFile(path(s.file()), s.maxBytes(), s.reserveBytes(),
                    s.persistentFor(), log);
            case Step.AttachLoopDevice s -> {
                CommandResult result = command(List.of("losetup", "--find", "--show", path(s.file()).toString()), Map.of());
                String device = result.stdout().strip();
                if (!device.startsWith("/dev/")) {
                    throw new IOException("losetup printed '" + device + "' instead of a loop device");
                }
                bind(s.slot(), device);
            }
            case Step.UseDevice s -> bind(s.slot(), s.device().toString());
            case Step.WriteCowHeader s -> CowFiles.writeHeader(path(s.partition()), s.owner());
            case Step.ZeroRange s -> CowFiles.zero(path(s.device()), s.offset(), s.length());
            case Step.CreateDmDevice s -> createDmDevice(s);
            case Step.AwaitBackground s -> awaitBackground(s);
            case Step.InBackground s -> throw new IllegalStateException("nested background work " + s.what());
            case Step.RecordCowState s -> recordCowState(s.state());
            case Step.RunProgram s -> runProgram(s);
            case Step.WriteFile s -> {
                Path file = path(s.path());
                Files.createDirectories(file.getParent());
                Files.writeString(file, s.content());
                Files.setAttribute(file, "unix:mode", s.mode());
            }
            case Step.MakeSymlink s -> {
                Path link = path(s.link());
                Files.createDirectories(link.getParent());
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of(s.target()));
            }
            case Step.FetchFile s -> fetch(s);
            case Step.ExtractArchive s -> extract(s);
            case Step.UpdateFstab s -> FstabUpdater.apply(path(s.fstab()), s.entries());
            case Step.CopyFile s -> copy(s);
            case Step.WithFallback s -> throw new IllegalStateException("nested fallback " + s.what());
        }
    }

    /** /sys/module/NAME exists once a module is loaded (or built in); the kernel writes - as _. */
    private Path loadedModule(String module) {
        return path(Path.of("/sys/module", module.replace('-', '_')));
    }

    private void findImagePartition(Step.FindImagePartition s) throws IOException {
        AtomicReference<Optional<PartitionFinder.ImagePartition>> found = new AtomicReference<>(Optional.empty());
        waitFor(s.timeout(), s.identifier().map(id -> "no partition named or labelled \"" + id + "\" on " + s.imageDevice())
                .orElse(s.imageDevice() + " did not appear"), () -> {
            found.set(PartitionFinder.image(machine.snapshotOf(s.imageDevice()), s.imageDevice(), s.identifier()));
            return found.get().isPresent();
        });
        PartitionFinder.ImagePartition partition = found.get().orElseThrow();
        bind(Slots.ROOT, partition.device().toString());
        bind(Slots.ROOT_SECTORS, String.valueOf(partition.sectors()));
    }

    /**
     * {@code dmsetup create} without waiting for udev: with its udev synchronisation dmsetup waits
     * until udev has run every dm rule on the new device (among them blkid, which reads the root
     * over the network, and two more dmsetup processes), seconds in a slow client. The kernel's
     * devtmpfs has {@code /dev/dm-N} the moment the device exists; {@link DeviceMapperNode} waits
     * for it and puts the {@code /dev/mapper} link there as udev's 10-dm.rules do. udev still
     * processes the device's events afterwards (its symlinks, the udev database systemd reads).
     */
    private void createDmDevice(Step.CreateDmDevice s) throws IOException {
        command(List.of("dmsetup", "create", s.name(), "--noudevsync", "--table", fill(s.table())), Map.of());
        Path node = DeviceMapperNode.await(root, s.name(), machine.clock(), DM_NODE_TIMEOUT);
        log.accept("/dev/mapper/" + s.name() + " is " + node);
    }

    private void checkFilesystem(Step.CheckFilesystem s) throws IOException {
        CommandResult check = runner.run(append(s.checkCommand(), path(s.device())), Map.of(), COMMAND_TIMEOUT);
        logOutput(check);
        // fsck's exit codes: 0 clean, 1 errors corrected, 2 corrected but reboot advised; 4 and up: not fixed.
        if (check.exitCode() < 4) {
            if (check.exitCode() > 0) {
                log.accept("the filesystem check corrected errors on " + s.device() + " (exit code " + check.exitCode() + ")");
            }
            return;
        }
        if (s.createCommand().isEmpty()) {
            throw new IOException(String.join(" ", s.checkCommand()) + " exited with " + check.exitCode() + " ("
                    + check.tail() + ") and there is no create command");
        }
        log.accept("the filesystem on " + s.device() + " is broken or missing (check exit code " + check.exitCode()
                + "): creating a new one");
        command(append(s.createCommand(), path(s.device())), Map.of());
    }

    private void mount(Step.Mount s) throws IOException {
        List<String> argv = new ArrayList<>(List.of("mount"));
        argv.addAll(s.arguments());
        s.type().ifPresent(t -> argv.addAll(List.of("-t", t)));
        argv.add(s.source().startsWith("/") ? path(Path.of(s.source())).toString() : s.source());
        argv.add(path(s.target()).toString());
        command(argv, Map.of());
    }

    private void recordCowState(CowState state) throws IOException {
        Path file = path(Path.of(CowState.PATH));
        Files.createDirectories(file.getParent());
        boolean fellBack = state.kind().equals("ram") && fallbackReason.isPresent();
        Files.writeString(file, state.render(fellBack ? fallbackReason : Optional.empty()));
        bind(Slots.COW_PERSISTENCE, state.persistent() ? "P" : "N");
        if (state.kind().equals("ram")) {
            log.accept("WARNING: the copy-on-write layer is in RAM (" + state.sizeKb().map(k -> k + " KB").orElse("")
                    + "): changes are lost at reboot and a full layer makes the root fail");
        }
    }

    private void runProgram(Step.RunProgram s) throws IOException {
        List<String> argv = new ArrayList<>();
        for (String word : s.argv()) {
            argv.add(fill(word));
        }
        Path program = Path.of(argv.getFirst());
        if (program.isAbsolute()) {
            Path inImage = path(Path.of("/sysroot")).resolve(program.toString().substring(1));
            Path inInitramfs = path(program);
            Path chosen = s.preferSysroot() && Files.isExecutable(inImage) ? inImage : inInitramfs;
            if (!Files.isExecutable(chosen)) {
                throw new IOException(program + " does not exist or is not executable"
                        + (s.preferSysroot() ? " (looked in the image and the initramfs)" : " in the initramfs"));
            }
            argv.set(0, chosen.toString());
        }
        Map<String, String> environment = new LinkedHashMap<>();
        s.environment().forEach((k, v) -> environment.put(k, fill(v)));
        command(argv, environment);
    }

    private void fetch(Step.FetchFile s) throws IOException {
        Path target = path(s.target());
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        if (fetcher == null) {
            throw new IOException("no HTTP client configured");
        }
        switch (fetcher.fetch(s.what(), s.urls())) {
            case FetchResult.Fetched f -> Files.write(target, f.body());
            case FetchResult.Absent a -> {
                if (!s.optional()) {
                    throw new IOException(s.what() + " does not exist on any boot server");
                }
                log.accept("no " + s.what() + " on the boot servers: nothing to extract");
            }
        }
    }

    private void extract(Step.ExtractArchive s) throws IOException {
        Path archive = path(s.archive());
        if (!Files.exists(archive) && s.skipIfMissing()) {
            log.accept("no " + s.archive() + ": skipped");
            return;
        }
        SafeExtractor.Result result = new SafeExtractor(SafeExtractor.Limits.DEFAULT, log).extract(archive, path(s.root()));
        log.accept(archive.getFileName() + ": " + result.files() + " files, " + result.directories() + " directories, "
                + result.links() + " links, " + result.bytes() + " bytes over " + s.root());
    }

    private void copy(Step.CopyFile s) throws IOException {
        Path source = path(s.source());
        if (!Files.exists(source)) {
            log.accept(s.source() + " does not exist: nothing to copy");
            return;
        }
        Path target = path(s.target());
        if (Files.isDirectory(target)) {
            target = target.resolve(source.getFileName());
        }
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    }

    private CommandResult command(List<String> argv, Map<String, String> environment) throws IOException {
        if (verbose) {
            log.accept("running: " + String.join(" ", argv));
        }
        CommandResult result = runner.run(argv, environment, COMMAND_TIMEOUT);
        logOutput(result);
        if (!result.succeeded()) {
            throw new IOException(argv.getFirst() + " exited with " + result.exitCode()
                    + (result.tail().isEmpty() ? "" : " (" + result.tail() + ")"));
        }
        return result;
    }

    private void logOutput(CommandResult result) {
        if (verbose) {
            result.stdout().lines().forEach(l -> log.accept("  | " + l));
            result.stderr().lines().forEach(l -> log.accept("  ! " + l));
        }
    }

    private interface Check {
        boolean done() throws IOException;
    }

    private void waitFor(Duration timeout, String failure, Check check) throws IOException {
        BootClock clock = machine.clock();
        Duration start = clock.elapsed();
        while (!check.done()) {
            Duration waited = clock.elapsed().minus(start);
            if (waited.compareTo(timeout) >= 0) {
                throw new IOException(failure + " within " + timeout.toSeconds() + " s");
            }
            try {
                clock.sleep(DEVICE_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting");
            }
        }
    }

    /** Java's file errors name only the path; say what it means. */
    private static String reason(Exception e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> n.getFile() + " does not exist";
            case java.nio.file.AccessDeniedException a -> "permission denied on " + a.getFile();
            case java.nio.file.FileAlreadyExistsException f -> f.getFile() + " already exists";
            case java.nio.file.FileSystemException f -> f.getFile() + ": " + f.getReason();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    private void bind(String slot, String value) {
        slots.put(slot, value);
        log.accept(Slots.ref(slot) + " = " + value);
    }

    /** Replaces {@code ${slot}} references; an unknown slot is an error (a step ran out of order). */
    private String fill(String text) {
        Matcher m = SLOT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = slots.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException(Slots.ref(m.group(1)) + " is not known yet");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Path path(Path planPath) {
        return planPath.isAbsolute() ? root.resolve(planPath.toString().substring(1)) : root.resolve(planPath);
    }

    private static List<String> append(List<String> command, Path device) {
        List<String> argv = new ArrayList<>(command);
        argv.add(device.toString());
        return argv;
    }
}
