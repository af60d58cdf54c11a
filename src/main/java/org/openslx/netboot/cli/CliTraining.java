package org.openslx.netboot.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The training run of the launcher's AOT cache ({@code target/slx.aot}, JEP 483/514/515): the
 * {@code ./slx} launcher runs this once per build with {@code -XX:AOTCacheOutput}, so the
 * classes the common commands load and link (picocli's command model, the image readers, the
 * NBD server, the JDK parts they use) come from the cache on later starts instead of being
 * found, parsed and verified again. It runs the real commands in one JVM, because a cache
 * records one run:
 * {@code image info} (text and JSON) and {@code image cat} of a small raw image and, when
 * qemu-img is installed, of qcow2 copies (uncompressed, zlib, zstd); then {@code nbd serve} of
 * the zstd image, read once by nbdcopy when that is installed. Standard output must be a
 * regular file (the launcher points it at one): {@code image cat} then takes its usual path.
 *
 * <p>Not a user command: {@code java -cp slx.jar org.openslx.netboot.cli.CliTraining WORKDIR}.
 */
public final class CliTraining {
    private static final int IMAGE_BYTES = 4 << 20;

    private CliTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: CliTraining WORKDIR (run by ./slx to build its AOT cache)");
            System.exit(2);
        }
        StandardOutput.isProcessOutput = true;
        Path dir = Files.createDirectories(Path.of(args[0]));
        List<Path> images = images(dir);
        for (Path image : images) {
            Main.run("image", "info", image.toString());
            Main.run("image", "info", "--json", image.toString());
            Main.run("image", "cat", image.toString());
        }
        Main.run("--version");
        serveOnce(images.getLast(), dir.resolve("nbd.sock"));
        // Exit as the commands do; the JVM writes the cache on the way out.
        System.out.flush();
        System.exit(0);
    }

    /**
     * A raw disk with text-like, random and zero parts (so decoders and hole handling both
     * run) and, when qemu-img is there, qcow2 copies of it; zstd last.
     */
    private static List<Path> images(Path dir) throws IOException, InterruptedException {
        byte[] data = new byte[IMAGE_BYTES];
        Random random = new Random(1);
        byte[] words = "block layer qcow2 cluster nbd export dnbd3 image partition ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < IMAGE_BYTES / 2; i++) {
            data[i] = words[(i * 7 + random.nextInt(3)) % words.length];
        }
        byte[] noise = new byte[IMAGE_BYTES / 4];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, data, IMAGE_BYTES / 2, noise.length);
        Path raw = dir.resolve("train.raw");
        Files.write(raw, data);
        List<Path> images = new ArrayList<>(List.of(raw));
        for (String variant : List.of("qcow2", "zlib", "zstd")) {
            Path qcow2 = dir.resolve("train-" + variant + ".qcow2");
            List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2"));
            if (!variant.equals("qcow2")) {
                command.addAll(List.of("-c", "-o", "compression_type=" + variant));
            }
            command.addAll(List.of(raw.toString(), qcow2.toString()));
            if (runQuietly(command)) {
                images.add(qcow2);
            }
        }
        return images;
    }

    /** {@code slx nbd serve} on a unix socket, read once by nbdcopy if it is installed. */
    private static void serveOnce(Path image, Path socket) throws Exception {
        Thread server = Thread.ofPlatform().daemon().name("training nbd serve")
                .start(() -> Main.run("nbd", "serve", image.toString(), "--unix", socket.toString()));
        for (int i = 0; i < 100 && !Files.exists(socket) && server.isAlive(); i++) {
            Thread.sleep(50);
        }
        if (Files.exists(socket)) {
            runQuietly(List.of("nbdcopy", "nbd+unix:///?socket=" + socket, "null:"));
        }
    }

    /** Runs a tool; false when it is missing or fails (the training then just covers less). */
    private static boolean runQuietly(List<String> command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException missing) {
            return false;
        }
    }
}
