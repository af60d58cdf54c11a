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
        Thread preload = Thread.ofPlatform().name("preload").start(RootDaemon::preload);
        RootImage image;
        try {
            Files.createDirectories(options.stateDir());
            String cmdline = Files.readString(options.cmdlineFile()).strip();
            configureNetwork(cmdline);
            awaitNetwork();
            String imageUrl = interimParameter(cmdline, "slxinterim.image", null);
            String partition = interimParameter(cmdline, "slxinterim.partition", "SLX_SYS");
            if (imageUrl == null) {
                throw new IOException("no image to boot: the kernel command line lacks slxinterim.image=URL "
                        + "(interim until the SLX config is fetched)");
            }
            image = RootImage.attach(HttpRangeSource.open(java.net.URI.create(imageUrl)), partition,
                    options.stateDir().resolve("nbd.sock"), "/dev/nbd0");
            BootLog.info("root device %s: partition %s of %s, %d MiB, served by this daemon"
                    .formatted(image.device(), partition, imageUrl, image.sizeBytes() >> 20));
            InterimStorage.setUp(image.device(), image.sizeBytes(), options.stateDir(), 1L << 30,
                    Path.of("/sysroot"));
            BootLog.info("root mounted on /sysroot");
            preload.join();
            // Start stage4 with the heap shrunk to what is live (MaxHeapFreeRatio gives the rest back).
            System.gc();
            Files.writeString(options.stateDir().resolve("root-ready"), "");
        } catch (IOException | RuntimeException e) {
            fail(e.getMessage() == null ? e.toString() : e.getMessage());
            return 1;
        }
        serveForever(image);
        return 0;
    }

    /** Stays alive serving the root device; reports what it fetched on SIGUSR1 and now and then. */
    private static void serveForever(RootImage image) throws InterruptedException {
        Runnable report = () -> BootLog.info("serving %s: %d bytes fetched in %d reads, %s"
                .formatted(image.device(), image.bytesFetched(), image.readsFetched(), memory()));
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
     * Opened before switch_root and read again in place: afterwards the daemon's own /proc is
     * gone (systemd moved the mount into the new root), an open procfs file keeps working.
     */
    private static java.nio.channels.FileChannel statusFile;

    private static synchronized String memory() {
        try {
            if (statusFile == null) {
                statusFile = java.nio.channels.FileChannel.open(Path.of("/proc/self/status"));
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(8192);
            statusFile.read(buffer, 0);
            String status = new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.US_ASCII);
            java.util.Map<String, String> fields = new java.util.HashMap<>();
            for (String line : status.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).replace("kB", "").strip());
                }
            }
            return "RSS %s KiB (anon %s, file %s, shmem %s)".formatted(fields.get("VmRSS"),
                    fields.get("RssAnon"), fields.get("RssFile"), fields.get("RssShmem"));
        } catch (IOException | RuntimeException e) {
            return "RSS unknown (" + e.getMessage() + ")";
        }
    }

    /** Loads every class ahead of switch_root, after which the jar and runtime files are gone. */
    private static void preload() {
        try {
            var result = ClassPreloader.preloadJar(ClassPreloader.ownJar());
            BootLog.info("preloaded %d classes (%d optional ones skipped) for life after switch_root"
                    .formatted(result.loaded(), result.skipped()));
        } catch (IOException e) {
            BootLog.info("could not preload classes: " + e.getMessage());
        }
    }

    /** INTERIM: a parameter of ours on the kernel command line, until the stage3 parser lands. */
    private static String interimParameter(String cmdline, String name, String fallback) {
        for (String word : cmdline.split("\\s+")) {
            if (word.startsWith(name + "=")) {
                return word.substring(name.length() + 1);
            }
        }
        return fallback;
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
        preload();
        return 0;
    }
}
