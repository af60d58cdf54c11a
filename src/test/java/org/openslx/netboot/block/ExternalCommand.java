package org.openslx.netboot.block;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real tools tests compare against (qemu-img, qemu-io, sgdisk, mkfs.*), failing the
 * test with the tool's output when it fails.
 */
public final class ExternalCommand {
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private ExternalCommand() {
    }

    /** Runs the command, expecting exit code 0; returns stdout and stderr together. */
    public static String run(String... command) {
        return runExpecting(0, command);
    }

    /** Runs the command, expecting {@code exitCode}; returns stdout and stderr together. */
    public static String runExpecting(int exitCode, String... command) {
        List<String> resolved = new ArrayList<>(List.of(command));
        resolved.set(0, resolve(command[0]).toString());
        try {
            Process process = new ProcessBuilder(resolved).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != exitCode) {
                throw new AssertionError(String.join(" ", command) + " exited with "
                        + process.exitValue() + " (expected " + exitCode + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command[0], e);
        }
    }

    /** Whether {@code program} is installed (on PATH or in the sbin directories). */
    public static boolean available(String program) {
        return find(program) != null;
    }

    /** The installed program's path, for running it through {@code env VAR=... program}. */
    public static String path(String program) {
        return resolve(program).toString();
    }

    private static Path resolve(String program) {
        Path found = find(program);
        if (found == null) {
            throw new AssertionError(program + " is not installed; run scripts/install-deps.sh");
        }
        return found;
    }

    private static Path find(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program)) ? Path.of(program) : null;
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(EXTRA_DIRS);
        for (String dir : dirs) {
            Path candidate = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
