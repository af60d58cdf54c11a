package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system tools the boot needs (modprobe, nbd-client, losetup, dmsetup, mount,
 * systemctl) from the root daemon, with a bound on their run time, and fails with the tool's
 * own words. Only before switch_root: afterwards the initramfs's binaries are gone.
 */
final class Commands {
    private Commands() {
    }

    /** Runs the command; returns its stdout (stderr merged), stripped. */
    static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        process.getOutputStream().close();
        try {
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 120 s");
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit code "
                        + process.exitValue() + ")" + (text.isEmpty() ? "" : ": " + text));
            }
            return text;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " was interrupted", e);
        }
    }
}
