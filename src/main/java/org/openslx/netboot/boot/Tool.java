package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external tool (mkfs.ext4, sgdisk, qemu-img, dracut, jlink ...) to completion and
 * turns a failure into an IOException that names the command and quotes the end of its output,
 * so a broken build step reads as one clear sentence.
 */
public final class Tool {
    private static final int OUTPUT_TAIL = 2000;

    private final List<String> command;
    private Path directory;
    private Duration timeout = Duration.ofMinutes(10);
    private final Map<String, String> environment = new java.util.HashMap<>();

    private Tool(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static Tool of(String... command) {
        return new Tool(List.of(command));
    }

    public static Tool of(List<String> command) {
        return new Tool(command);
    }

    public Tool in(Path workingDirectory) {
        this.directory = workingDirectory;
        return this;
    }

    public Tool timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    public Tool env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Runs the tool and returns its combined stdout and stderr; throws when it fails. */
    public String run() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(name() + " could not be started (" + e.getMessage()
                    + "); scripts/install-deps.sh installs the tools slx needs", e);
        }
        process.getOutputStream().close();
        var output = new java.io.ByteArrayOutputStream();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (var in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ignored) {
                // The process ended or was killed; what was read so far is kept.
            }
        });
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(name() + " did not finish within " + timeout.toSeconds()
                        + " s: " + String.join(" ", command));
            }
            pump.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(name() + " was interrupted", e);
        }
        String text = output.toString(StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(name() + " failed with exit code " + process.exitValue() + ": "
                    + String.join(" ", command) + "\n" + tail(text));
        }
        return text;
    }

    private String name() {
        return Path.of(command.getFirst()).getFileName().toString();
    }

    private static String tail(String text) {
        return text.length() <= OUTPUT_TAIL ? text : "..." + text.substring(text.length() - OUTPUT_TAIL);
    }

    /** Whether an executable of this name is on the PATH (or is an existing absolute path). */
    public static boolean exists(String executable) {
        if (executable.startsWith("/")) {
            return java.nio.file.Files.isExecutable(Path.of(executable));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, executable))) {
                return true;
            }
        }
        return java.nio.file.Files.isExecutable(Path.of("/usr/sbin", executable))
                || java.nio.file.Files.isExecutable(Path.of("/sbin", executable));
    }

    static List<String> list(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
