package org.openslx.netboot.cli;

/**
 * Makes System.Logger output (java.util.logging underneath) one line per event on stderr:
 * "2025-01-31 12:00:00 INFO message", instead of the JDK's two-line default with class names.
 */
final class OneLineLogs {
    private OneLineLogs() {
    }

    /** Call before the first log line; a format given with -D on the command line wins. */
    static void install() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %5$s%6$s%n");
        }
    }
}
