package org.openslx.netboot.boot;

/**
 * SIGUSR1 makes the root daemon print its status line: stage4 (which cannot reach the daemon's
 * files) asks for it before powering off, so the console shows the final numbers.
 */
final class StatusSignal {
    private StatusSignal() {
    }

    @SuppressWarnings("removal")
    static void onUsr1(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), signal -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            BootLog.info("status on SIGUSR1 unavailable: " + e.getMessage());
        }
    }
}
