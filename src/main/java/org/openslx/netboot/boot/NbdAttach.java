package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands our NBD export to the kernel's nbd driver: {@code nbd-client} connects to the daemon's
 * unix socket, does the handshake, gives the socket to the kernel over netlink and exits.
 *
 * <p>Why nbd-client over a unix socket rather than our own netlink code: the socket never
 * leaves the machine, so it cannot break while the daemon lives, and network failures are
 * handled where they happen, in the dnbd3 client, which fails over between servers. No
 * {@code -timeout} is given, so the kernel never fails a request that waits while the daemon
 * fails over (after 30 s it only logs "possible stuck request" and keeps waiting). nbd-client
 * is a small, well-tested C tool, and the handshake it speaks is the one our NBD server is
 * tested against, so there is no second handshake implementation to keep correct.
 */
final class NbdAttach {
    private NbdAttach() {
    }

    /** Attaches the export at {@code socket} as {@code device} (e.g. /dev/nbd0), 512-byte blocks. */
    static void attach(Path socket, String device) throws IOException, InterruptedException {
        if (!Files.exists(Path.of("/sys/module/nbd"))) {
            Commands.run("modprobe", "nbd");
        }
        BootLog.info("nbd-client: connecting " + device + " to " + socket);
        // 512-byte logical blocks: larger ones would hide a GPT written for 512-byte sectors.
        Commands.run("nbd-client", "-u", socket.toString(), device, "-N", "", "-b", "512",
                "-R");
        Path size = Path.of("/sys/block", Path.of(device).getFileName().toString(), "size");
        for (int i = 0; i < 200; i++) {
            if (Files.exists(size) && Long.parseLong(Files.readString(size).strip()) > 0) {
                BootLog.info(device + ": " + queueLimits(size.getParent().resolve("queue")));
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException(device + " has no size 10 s after nbd-client connected it");
    }

    /** The kernel's request size and read-ahead for the device: they decide the daemon's read sizes. */
    private static String queueLimits(Path queue) {
        return "requests up to %s KiB (hardware limit %s KiB), read-ahead %s KiB".formatted(
                sysfs(queue.resolve("max_sectors_kb")), sysfs(queue.resolve("max_hw_sectors_kb")),
                sysfs(queue.resolve("read_ahead_kb")));
    }

    private static String sysfs(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
