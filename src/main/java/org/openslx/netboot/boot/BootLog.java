package org.openslx.netboot.boot;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The daemon's lines on the client's console, stamped like kernel messages with the seconds
 * since boot ({@code [   12.345678] slx: ...}), so they sort into the kernel's own lines and the
 * host can time each boot phase from the console alone.
 */
public final class BootLog {
    private static final Path UPTIME = Path.of("/proc/uptime");
    private static volatile PrintStream out = System.out;

    private BootLog() {
    }

    /** Sends the lines somewhere else (tests). */
    static void redirect(PrintStream stream) {
        out = stream;
    }

    public static void info(String message) {
        PrintStream o = out;
        // One println per line: the console gets each line whole, never interleaved mid-line.
        o.println("[%12.6f] slx: %s".formatted(uptime(), message));
        o.flush();
    }

    /**
     * Uptime read once at start, then carried on with the monotonic clock: after switch_root the
     * daemon's /proc is gone (systemd moved it into the new root), but its clock still ticks.
     */
    private static final double UPTIME_AT_START = readUptime();
    private static final long NANOS_AT_START = System.nanoTime();

    /** Seconds since the kernel started, or -1 where /proc was not there. */
    public static double uptime() {
        return UPTIME_AT_START < 0 ? -1 : UPTIME_AT_START + (System.nanoTime() - NANOS_AT_START) / 1e9;
    }

    private static double readUptime() {
        try {
            return Double.parseDouble(Files.readString(UPTIME).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Seconds since boot at which this process was started (field 22 of /proc/self/stat). */
    static double processStartUptime() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[19]) / 100.0; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
