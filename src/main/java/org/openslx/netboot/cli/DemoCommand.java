package org.openslx.netboot.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.openslx.netboot.boot.Demo;
import org.openslx.netboot.boot.ProjectFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slx demo}: build everything and boot one client (see {@link Demo}). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Install what is needed, build the images, boot a client in qemu and summarize its boot.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the demo's files go (default: target/demo).")
    Path workDir;

    @Option(names = "--no-install", description = "Do not run scripts/install-deps.sh.")
    boolean noInstall;

    @Option(names = "--boot-limit", paramLabel = "SECONDS", defaultValue = "600",
            description = "Give up on the client after this long (default: ${DEFAULT-VALUE}).")
    long bootLimitSeconds;

    @Option(names = "--compare-baseline", paramLabel = "ROUNDS", defaultValue = "0",
            description = "Benchmark: also boot dracut's own nbd module from qemu-nbd, alternating, ROUNDS times.")
    int compareRounds;

    /** Held so the setting sticks: java.util.logging keeps loggers only weakly. */
    private static final java.util.logging.Logger SERVER_LOG = java.util.logging.Logger.getLogger("org.openslx.netboot");
    private static final java.util.logging.Logger HTTP_LOG = java.util.logging.Logger.getLogger("http");

    @Override
    public Integer call() throws Exception {
        // The boot server's per-request lines would bury the client's console; warnings still show.
        SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        HTTP_LOG.setLevel(java.util.logging.Level.WARNING);
        Path dir = workDir != null ? workDir : ProjectFiles.root().resolve("target/demo");
        boolean terminal = System.console() != null && System.console().isTerminal();
        return new Demo(new Demo.Options(dir, terminal, !noInstall, Duration.ofSeconds(bootLimitSeconds), compareRounds),
                System.out).run();
    }
}
