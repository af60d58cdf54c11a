package org.openslx.netboot.block.qcow2;

import static org.openslx.netboot.block.ExternalCommand.run;
import static org.openslx.netboot.block.ExternalCommand.runExpecting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * qcow2 images made by qemu-img and qemu-io at test time, one per variant the decoder must read,
 * each with the raw bytes {@code qemu-img convert -O raw} gives for it: the reference.
 */
public final class Qcow2Corpus {
    static final int KIB = 1024;
    static final int MIB = 1024 * 1024;

    /** A variant: how to make the image with qemu's tools. */
    public record Variant(String name, Recipe recipe) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The image and qemu's raw view of it. */
    public record Image(Variant variant, Path qcow2, Path raw) {
        public byte[] expected() throws IOException {
            return Files.readAllBytes(raw);
        }
    }

    interface Recipe {
        void make(Path image, Path dir) throws IOException;
    }

    private Qcow2Corpus() {
    }

    public static List<Variant> variants() {
        List<Variant> all = new ArrayList<>();
        all.add(plain("v2-512", "compat=0.10,cluster_size=512"));
        all.add(plain("v2-64k", "compat=0.10,cluster_size=65536"));
        all.add(plain("v3-512", "compat=1.1,cluster_size=512"));
        all.add(plain("v3-4k", "compat=1.1,cluster_size=4096"));
        all.add(plain("v3-64k", "compat=1.1,cluster_size=65536"));
        all.add(plain("v3-2m", "compat=1.1,cluster_size=2097152"));
        all.add(new Variant("v3-64k-odd-size", (image, dir) -> {
            long size = 3L * MIB + 66 * KIB + 512;
            create(image, "cluster_size=65536", size);
            io(image, patternWrites(64 * KIB, size));
        }));
        all.add(compressed("zlib-v2-64k", "compat=0.10,cluster_size=65536"));
        all.add(compressed("zlib-512", "cluster_size=512"));
        all.add(compressed("zlib-4k", "cluster_size=4096"));
        all.add(compressed("zlib-64k", "cluster_size=65536"));
        all.add(compressed("zlib-2m", "cluster_size=2097152"));
        all.add(compressed("zstd-512", "cluster_size=512,compression_type=zstd"));
        all.add(compressed("zstd-4k", "cluster_size=4096,compression_type=zstd"));
        all.add(compressed("zstd-64k", "cluster_size=65536,compression_type=zstd"));
        all.add(compressed("zstd-2m", "cluster_size=2097152,compression_type=zstd"));
        all.add(extendedL2("extended-l2-16k", 16 * KIB, ""));
        all.add(extendedL2("extended-l2-64k", 64 * KIB, ""));
        all.add(extendedL2("extended-l2-2m", 2 * MIB, ""));
        all.add(new Variant("extended-l2-zstd-64k", (image, dir) -> {
            int cluster = 64 * KIB;
            long size = sizeFor(cluster);
            Path raw = mixedContent(dir, size);
            run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", "-o",
                    "cluster_size=65536,extended_l2=on,compression_type=zstd", raw.toString(),
                    image.toString());
            io(image, subclusterWrites(cluster));
        }));
        all.add(new Variant("snapshots-64k", (image, dir) -> {
            int cluster = 64 * KIB;
            long size = sizeFor(cluster);
            create(image, "cluster_size=65536", size);
            io(image, patternWrites(cluster, size));
            run("qemu-img", "snapshot", "-c", "first", image.toString());
            io(image, List.of("write -P 0xe5 0 " + (96 * KIB), "write -z " + (3 * cluster) + " " + cluster,
                    "write -P 0xe6 " + (10L * cluster + 512) + " 4096"));
            run("qemu-img", "snapshot", "-c", "second", image.toString());
            io(image, List.of("write -P 0xf7 " + (200 * KIB) + " " + (64 * KIB),
                    "write -z 0 4096"));
        }));
        all.add(new Variant("dirty-lazy-refcounts", (image, dir) -> {
            int cluster = 64 * KIB;
            long size = sizeFor(cluster);
            create(image, "cluster_size=65536,lazy_refcounts=on", size);
            io(image, patternWrites(cluster, size));
            // qemu-io's abort command crashes it mid-session: the dirty bit stays set.
            List<String> crash = new ArrayList<>(List.of("-c", "write -P 0x9d " + (7L * cluster) + " 8192",
                    "-c", "abort"));
            runCrashing(image, crash);
            if ((Files.readAllBytes(image)[79] & 1) == 0) {
                throw new IllegalStateException("qemu-io abort left the dirty bit clear");
            }
        }));
        return all;
    }

    /** Builds each variant once per test class, on first use, so a class pays only for what it reads. */
    public static final class Cache {
        private final java.util.Map<String, Image> built = new java.util.concurrent.ConcurrentHashMap<>();

        public Image image(Variant variant, Path dir) {
            return built.computeIfAbsent(variant.name(), name -> build(variant, dir));
        }
    }

    public static Image build(Variant variant, Path dir) {
        try {
            Path variantDir = Files.createDirectories(dir.resolve(variant.name()));
            Path image = variantDir.resolve(variant.name() + ".qcow2");
            Path raw = variantDir.resolve(variant.name() + ".raw");
            variant.recipe().make(image, variantDir);
            run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString());
            return new Image(variant, image, raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Virtual size: a few MiB, and at least 8 clusters so every pattern fits. */
    static long sizeFor(int clusterSize) {
        return Math.max(4L * MIB, 8L * clusterSize);
    }

    private static Variant plain(String name, String options) {
        return new Variant(name, (image, dir) -> {
            int cluster = clusterSize(options);
            long size = sizeFor(cluster);
            create(image, options, size);
            io(image, patternWrites(cluster, size));
        });
    }

    private static Variant compressed(String name, String options) {
        return new Variant(name, (image, dir) -> {
            int cluster = clusterSize(options);
            long size = sizeFor(cluster);
            Path raw = mixedContent(dir, size);
            run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", "-o", options,
                    raw.toString(), image.toString());
            // Uncompressed writes and zero clusters on top of the compressed ones.
            io(image, List.of("write -P 0x3c " + (2L * cluster) + " " + cluster,
                    "write -P 0x4d " + (size - 3 * 512) + " 1024",
                    "write -z " + (4L * cluster) + " " + cluster));
        });
    }

    private static Variant extendedL2(String name, int cluster, String extra) {
        return new Variant(name, (image, dir) -> {
            long size = sizeFor(cluster);
            create(image, "extended_l2=on,cluster_size=" + cluster + extra, size);
            List<String> writes = new ArrayList<>(subclusterWrites(cluster));
            writes.add("write -P 0xc3 " + (size - cluster - 512) + " " + cluster);
            io(image, writes);
        });
    }

    /** Writes that leave clusters with some subclusters allocated, some zero, some untouched. */
    static List<String> subclusterWrites(int cluster) {
        int sub = cluster / 32;
        long c = cluster;
        return List.of(
                "write -P 0x44 " + sub + " " + sub,
                "write -P 0x55 " + (c + 5 * sub) + " " + (3 * sub),
                "write -P 0x66 " + (2 * c) + " " + c,
                "write -z " + (2 * c + 4 * sub) + " " + (2 * sub),
                "write -z " + (4 * c) + " " + (8 * sub),
                "write -P 0x77 " + (4 * c + 8 * sub) + " " + sub,
                "write -P 0x88 " + (6 * c - sub) + " " + (2 * sub));
    }

    /** Full, partial and boundary-crossing pattern writes plus zero writes, for any cluster size. */
    static List<String> patternWrites(int cluster, long size) {
        long c = cluster;
        return List.of(
                "write -P 0xa1 0 " + (2 * c),
                "write -P 0xb2 " + (3 * c + 512) + " 1024",
                "write -P 0xc3 " + (size - c - 512) + " " + c,
                "write -z " + c + " " + Math.max(512, c / 2),
                "write -z " + (5 * c) + " " + (2 * c),
                "write -P 0xd4 " + (5 * c) + " 512");
    }

    /**
     * Raw content that compresses in different ways: random bytes (qemu stores those clusters
     * uncompressed), text, a byte pattern, and zeros.
     */
    static Path mixedContent(Path dir, long size) throws IOException {
        byte[] bytes = new byte[(int) size];
        Random random = new Random(size);
        int quarter = bytes.length / 4;
        byte[] noise = new byte[quarter / 2];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, bytes, 0, noise.length);
        StringBuilder text = new StringBuilder();
        for (int line = 0; text.length() < quarter; line++) {
            text.append("slx-netboot test line ").append(line).append(": ").append(random.nextInt(1000))
                    .append('\n');
        }
        byte[] textBytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(textBytes, 0, bytes, quarter, quarter);
        for (int i = 2 * quarter; i < 3 * quarter; i++) {
            bytes[i] = (byte) (i % 251);
        }
        Path raw = dir.resolve("content.raw");
        Files.write(raw, bytes);
        return raw;
    }

    static void create(Path image, String options, long size) {
        run("qemu-img", "create", "-q", "-f", "qcow2", "-o", options, image.toString(), Long.toString(size));
    }

    static void io(Path image, List<String> commands) {
        List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : commands) {
            command.add("-c");
            command.add(c);
        }
        command.add(image.toString());
        run(command.toArray(String[]::new));
    }

    private static void runCrashing(Path image, List<String> ioArgs) {
        // 134 = killed by SIGABRT; ulimit -c 0 keeps the crash from writing a core file.
        StringBuilder script = new StringBuilder("ulimit -c 0; exec qemu-io -f qcow2");
        for (String arg : ioArgs) {
            script.append(' ').append('\'').append(arg).append('\'');
        }
        script.append(' ').append('\'').append(image).append('\'');
        runExpecting(134, "sh", "-c", script.toString());
    }

    private static int clusterSize(String options) {
        for (String option : options.split(",")) {
            if (option.startsWith("cluster_size=")) {
                return Integer.parseInt(option.substring("cluster_size=".length()));
            }
        }
        return 64 * KIB;
    }
}
