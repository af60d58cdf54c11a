package org.openslx.netboot.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** qemu-img and qemu-io, the reference qcow2 tools, for making and comparing test images. */
final class QemuImg {
    private QemuImg() {
    }

    /** A qcow2 of the given virtual size with a recognisable pattern written at some offsets. */
    static Path create(Path file, String virtualSize, int pattern) throws IOException, InterruptedException {
        run("qemu-img", "create", "-q", "-f", "qcow2", file.toString(), virtualSize);
        run("qemu-io", "-f", "qcow2", "-c", "write -P " + pattern + " 0 1M", "-c",
                "write -P " + (pattern ^ 0xff) + " 5M 3M", file.toString());
        return file;
    }

    /** A 64 MiB qcow2 with about 36 MiB of data in it, so that its file spans three 16 MiB CRC blocks. */
    static Path createSpanningCrcBlocks(Path file, int pattern) throws IOException, InterruptedException {
        create(file, "64M", pattern);
        run("qemu-io", "-f", "qcow2", "-c", "write -P " + (pattern + 1) + " 20M 32M", file.toString());
        return file;
    }

    /** Exit code of qemu-img compare: 0 identical, 1 different. */
    static int compare(Path a, Path b) throws IOException, InterruptedException {
        return exit(List.of("qemu-img", "compare", "-q", a.toString(), b.toString()));
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static int exit(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " did not finish");
        }
        return process.exitValue();
    }
}
