package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real NBD peers (nbdcopy, nbdinfo, nbdsh, qemu-img) with a time limit. */
final class Tools {
    private static final long TIMEOUT_SECONDS = 120;

    record Result(int exitCode, String stdout, String stderr) {
        Result assertSuccess() {
            assertThat(exitCode).as("exit code; stderr: %s; stdout: %s", stderr, stdout).isZero();
            return this;
        }
    }

    private Tools() {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tool", ".out");
        Path err = Files.createTempFile("tool", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of(command))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            // nbdsh runs "python3 -m nbd": the Debian python3 that has the libnbd module must
            // come first, not a python3 from pyenv or a venv.
            builder.environment().put("PATH", "/usr/bin:/bin:" + System.getenv("PATH"));
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within "
                        + TIMEOUT_SECONDS + " s; stderr: " + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static String unixUri(Path socket) {
        return "nbd+unix:///?socket=" + socket;
    }

    /**
     * Runs a Python snippet in nbdsh with {@code h} an unconnected handle; the snippet
     * connects itself (so it can turn structured replies off first) and prints "ok".
     */
    static Result nbdsh(String script) throws IOException, InterruptedException {
        return run("nbdsh", "-c", script);
    }
}
