package org.openslx.netboot.boot;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The root daemon's own entry point, used by the initramfs instead of the {@code slx} command
 * line: building picocli's model of every slx command by reflection took seconds in an emulated
 * client, time that lay straight on the boot's critical path. Same options as {@code slx daemon}.
 */
public final class DaemonMain {
    private DaemonMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path cmdline = Path.of("/proc/cmdline");
        Path stateDir = Path.of("/run/slx");
        long networkWait = 120;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--train" -> System.exit(RootDaemon.train());
                case "--cmdline-file" -> cmdline = Path.of(value(args, ++i, arg));
                case "--state-dir" -> stateDir = Path.of(value(args, ++i, arg));
                case "--network-wait" -> networkWait = Long.parseLong(value(args, ++i, arg));
                default -> {
                    System.err.println("slx daemon: unknown option " + arg
                            + " (options: --cmdline-file FILE, --state-dir DIR, --network-wait SECONDS, --train)");
                    System.exit(2);
                }
            }
        }
        System.exit(new RootDaemon(new RootDaemon.Options(cmdline, stateDir, Duration.ofSeconds(networkWait))).run());
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("slx daemon: " + option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }
}
