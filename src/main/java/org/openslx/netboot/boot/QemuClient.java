package org.openslx.netboot.boot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One emulated client machine: qemu with software emulation (KVM is not available on the
 * machines this runs on), a virtio network card on qemu's user-mode network (the guest reaches
 * the host's loopback at 10.0.2.2), and the serial console captured line by line into a file
 * and into memory so callers can wait for, and assert on, console lines.
 *
 * <p>A watchdog kills the VM when its time limit is over, so a hung boot never hangs the caller.
 */
public final class QemuClient implements AutoCloseable {

    /** Where the guest finds the host's loopback services on qemu's user network. */
    public static final String HOST_FROM_GUEST = "10.0.2.2";
    public static final String DEFAULT_MAC = "52:54:00:12:34:56";

    /**
     * How to start the client.
     *
     * @param kernel and {@code initrd}/{@code append}: a direct kernel boot (null kernel: boot from
     *     the network card's option ROM, i.e. iPXE)
     * @param netdevOptions extra options for {@code -netdev user}, e.g. {@code bootfile=...}
     * @param extraArgs further qemu arguments (disks, ...)
     * @param limit the watchdog: the VM is killed after this long
     */
    public record Options(Path kernel, Path initrd, String append, int memoryMiB, int cpus,
            String mac, String netdevOptions, List<String> extraArgs, Path consoleLog,
            Duration limit) {

        public static Options directBoot(Kernel kernel, Path initrd, String append, Path consoleLog) {
            return new Options(kernel.image(), initrd, append, 1024, 2, DEFAULT_MAC, "", List.of(),
                    consoleLog, Duration.ofMinutes(8));
        }

        public Options withLimit(Duration newLimit) {
            return new Options(kernel, initrd, append, memoryMiB, cpus, mac, netdevOptions, extraArgs,
                    consoleLog, newLimit);
        }

        public Options withExtraArgs(List<String> args) {
            return new Options(kernel, initrd, append, memoryMiB, cpus, mac, netdevOptions, args,
                    consoleLog, limit);
        }

        public Options withNetdevOptions(String options) {
            return new Options(kernel, initrd, append, memoryMiB, cpus, mac, options, extraArgs,
                    consoleLog, limit);
        }
    }

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private final Thread reader;
    private final Thread watchdog;
    private volatile boolean killedByWatchdog;

    private QemuClient(Process process, Path consoleLog, Consumer<String> listener, Duration limit)
            throws IOException {
        this.process = process;
        Files.createDirectories(consoleLog.toAbsolutePath().getParent());
        Writer log = Files.newBufferedWriter(consoleLog, StandardCharsets.UTF_8);
        this.reader = Thread.ofPlatform().daemon().name("qemu-console").start(() -> pump(log, listener));
        this.watchdog = Thread.ofPlatform().daemon().name("qemu-watchdog").start(() -> {
            try {
                if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    killedByWatchdog = true;
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        });
    }

    /** Starts the VM; {@code listener} (may be null) sees every console line as it arrives. */
    public static QemuClient start(Options options, Consumer<String> listener) throws IOException {
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64",
                "-accel", "tcg", "-cpu", "max",
                "-smp", Integer.toString(options.cpus()), "-m", Integer.toString(options.memoryMiB()),
                "-display", "none", "-serial", "stdio", "-monitor", "none",
                "-no-reboot", "-nodefaults",
                "-netdev", "user,id=n0" + (options.netdevOptions().isEmpty() ? "" : "," + options.netdevOptions()),
                "-device", "virtio-net-pci,netdev=n0,mac=" + options.mac()
                        + (options.kernel() != null ? ",romfile=" : "")));
        if (options.kernel() != null) {
            command.addAll(List.of("-kernel", options.kernel().toString(),
                    "-initrd", options.initrd().toString(), "-append", options.append()));
        }
        command.addAll(options.extraArgs());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("qemu-system-x86_64 could not be started (" + e.getMessage()
                    + "); scripts/install-deps.sh installs qemu-system-x86", e);
        }
        return new QemuClient(process, options.consoleLog(), listener, options.limit());
    }

    private void pump(Writer log, Consumer<String> listener) {
        try (log; var in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                // The serial console ends lines with CR LF and sometimes prints terminal escapes.
                String clean = line.replace("\r", "").replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
                log.write(clean);
                log.write('\n');
                log.flush();
                synchronized (lines) {
                    lines.add(clean);
                    lines.notifyAll();
                }
                if (listener != null) {
                    listener.accept(clean);
                }
            }
        } catch (IOException e) {
            // qemu ended; the lines read so far stay available.
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    /**
     * Types on the VM's serial console (its stdin), e.g. into a shell the boot opened. Nothing
     * else writes there: a VM nobody types into reads nothing, as before with /dev/null.
     */
    public void type(String text) throws IOException {
        var keyboard = process.getOutputStream();
        keyboard.write(text.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /** Every console line so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Seconds since the VM was started (wall clock on the host). */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Waits until a console line matches, and returns the match; empty when the VM ended or the
     * wait timed out first.
     */
    public Optional<Matcher> awaitLine(Pattern pattern, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    Matcher m = pattern.matcher(lines.get(seen));
                    if (m.find()) {
                        return Optional.of(m);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    return Optional.empty();
                }
                lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 500)));
            }
        }
    }

    /** Waits for qemu to end (the guest powered off, or the watchdog fired); returns its exit code. */
    public int awaitExit(Duration wait) throws InterruptedException, IOException {
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("the client VM was still running after " + wait.toSeconds() + " s");
        }
        reader.join(5000);
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Whether the VM was killed because its time limit ran out. */
    public boolean killedByWatchdog() {
        return killedByWatchdog;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.interrupt();
    }
}
