package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * slx's root storage daemon, started by the dracut module's initqueue job as {@code @slx-daemon}.
 * It carries the boot from the kernel command line to a mounted {@code /sysroot}: network
 * files for systemd-networkd, the wait for the network, the SLX config, the storage chain
 * (dnbd3 → qcow2 → NBD on /dev/nbd0), the COW layer and the mount, then keeps serving the root
 * device in stage4.
 *
 * <p>It talks to the dracut hooks through files in its state folder (/run/slx): it waits for
 * {@code network-online} (written by the initqueue's active wait), and writes {@code root-ready}
 * when /sysroot is mounted or {@code failed} with one sentence when it gave up.
 */
public final class RootDaemon {

    public record Options(Path cmdlineFile, Path stateDir, Duration networkWait) {
    }

    private final Options options;

    public RootDaemon(Options options) {
        this.options = options;
    }

    /** Runs the boot; returns only on failure (after writing {@code failed}) or never. */
    public int run() throws InterruptedException {
        double started = BootLog.processStartUptime();
        BootLog.info("root daemon up, JVM started in %.2f s (process start at %.2f s)"
                .formatted(BootLog.uptime() - started, started));
        try {
            String cmdline = Files.readString(options.cmdlineFile()).strip();
            configureNetwork(cmdline);
            awaitNetwork();
            throw new IOException("the storage chain is not wired into the daemon yet (interim build)");
        } catch (IOException | RuntimeException e) {
            fail(e.getMessage() == null ? e.toString() : e.getMessage());
            return 1;
        }
    }

    /** Interim until the stage3 logic lands: DHCP on every ethernet interface. */
    private void configureNetwork(String cmdline) throws IOException, InterruptedException {
        Path dir = Path.of("/run/systemd/network");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("90-slx-interim.network"), """
                [Match]
                Type=ether

                [Network]
                DHCP=ipv4
                """);
        // networkd may already run (it starts with the initqueue) and there is no D-Bus for
        // `networkctl reload` this early; a restart through PID 1 reads the new files either way.
        run("systemctl", "restart", "systemd-networkd.service");
        BootLog.info("network: systemd-networkd configured (DHCP on every ethernet interface)");
    }

    private void awaitNetwork() throws IOException, InterruptedException {
        Path online = options.stateDir().resolve("network-online");
        long deadline = System.nanoTime() + options.networkWait().toNanos();
        while (!Files.exists(online)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the network did not come up within "
                        + options.networkWait().toSeconds() + " s (systemd-networkd-wait-online never succeeded)");
            }
            Thread.sleep(100);
        }
        BootLog.info("network up");
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

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
    }

    /** The AOT cache's training run: exercise the daemon's code paths without a machine. */
    public static int train() {
        BootLog.info("training run (builds the AOT cache)");
        return 0;
    }
}
