package org.openslx.netboot.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.openslx.netboot.boot.RootDaemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slx daemon}: the root storage daemon the initramfs starts (see {@link RootDaemon}). */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Root storage daemon (run by the initramfs): network, config, image on /dev/nbd0, COW, /sysroot.")
final class DaemonCommand implements Callable<Integer> {

    @Option(names = "--cmdline-file", paramLabel = "FILE", defaultValue = "/proc/cmdline",
            description = "The kernel command line to boot from (default: ${DEFAULT-VALUE}).")
    Path cmdlineFile;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/run/slx",
            description = "Where the daemon and the dracut hooks exchange state (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--network-wait", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to wait for the network (default: ${DEFAULT-VALUE}).")
    long networkWaitSeconds;

    @Option(names = "--train", hidden = true, description = "Exercise the code paths once (AOT cache training).")
    boolean train;

    @Override
    public Integer call() throws Exception {
        if (train) {
            return RootDaemon.train();
        }
        return new RootDaemon(new RootDaemon.Options(cmdlineFile, stateDir,
                Duration.ofSeconds(networkWaitSeconds))).run();
    }
}
