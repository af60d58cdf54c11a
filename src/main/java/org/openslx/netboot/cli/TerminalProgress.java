package org.openslx.netboot.cli;

import java.io.PrintStream;

/**
 * A progress bar on stderr, redrawn in place at most five times a second, one line per phase,
 * only when stderr is a terminal (in a log file it would be noise):
 * {@code x.qcow2: copying [##########          ]  50%  1.0 GiB of 2.0 GiB  120.3 MiB/s}.
 */
final class TerminalProgress implements AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final String label;
    private final PrintStream err = System.err;
    private final boolean enabled = System.console() != null && System.console().isTerminal();
    private String phase;
    private long start;
    private long lastDraw;
    private boolean drawn;

    TerminalProgress(String label) {
        this.label = label;
    }

    void update(String phase, long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (!phase.equals(this.phase)) {
            if (drawn) {
                err.println();
            }
            this.phase = phase;
            start = now;
        } else if (done < total && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        int filled = total <= 0 ? WIDTH : (int) (WIDTH * done / total);
        int percent = total <= 0 ? 100 : (int) (100 * done / total);
        double seconds = Math.max(1e-3, (now - start) / 1e9);
        err.print("\r" + label + ": " + phase + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
                + String.format("%3d%%  %s of %s  %s/s ", percent, Sizes.human(done), Sizes.human(total),
                Sizes.human((long) (done / seconds))));
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            err.println();
        }
    }
}
