package org.openslx.netboot.boot;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code slx.break=PHASE[,PHASE]}: the root daemon stops before a phase of its boot and opens a
 * shell on the console, the way dracut's {@code rd.break=} does for dracut's hooks. The shell is
 * dracut's emergency shell, started by the module's {@code break-shell} script; the daemon waits
 * until the admin leaves it, then goes on. The phases are {@link
 * org.openslx.netboot.stage3.cmdline.DebugSwitches#PHASES}: network (before the networkd files are
 * written), config (before the SLX config is fetched), storage (before the image is attached),
 * stage4 (with /sysroot mounted, before stage4 is set up) and pivot (before /sysroot is handed to
 * switch_root).
 */
final class BreakPoints {
    static final Path SHELL = Path.of("/usr/lib/slx/break-shell");

    private final Set<String> phases;

    BreakPoints(Set<String> phases) {
        this.phases = Set.copyOf(phases);
    }

    /** Opens the shell and waits for it when the admin asked for a break before {@code phase}. */
    void before(String phase) throws IOException, InterruptedException {
        if (!phases.contains(phase)) {
            return;
        }
        if (!Files.isExecutable(SHELL)) {
            BootLog.info("slx.break=" + phase + " ignored: " + SHELL + " is missing from the initramfs");
            return;
        }
        BootLog.info("slx.break=" + phase + ": boot paused before the " + phase
                + " phase; a shell opens on the console, leave it (exit) to go on");
        // The shell has its own terminal (dracut-emergency.service); ours is the console's output.
        Process shell = new ProcessBuilder(SHELL.toString(), phase).inheritIO()
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        int status = shell.waitFor();
        BootLog.info("slx.break=" + phase + ": shell left" + (status == 0 ? "" : " (status " + status + ")")
                + ", the boot goes on");
    }
}
