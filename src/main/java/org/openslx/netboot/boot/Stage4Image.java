package org.openslx.netboot.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The small stage4 system the demo and the end-to-end tests boot: a GPT disk with one ext4
 * partition named {@code SLX_SYS} holding busybox, an init script that proves the root works
 * ({@code stage4-init.sh}) and a file of pseudo-random data whose checksum stage4 prints.
 * Built without mounting anything (mkfs.ext4 -d), so it needs no root privileges.
 *
 * @param raw the raw disk image
 * @param qcow2 the same disk as compressed qcow2
 * @param dataSha256 the SHA-256 of {@code /data/random.bin}, as stage4 should print it
 */
public record Stage4Image(Path raw, Path qcow2, String dataSha256, long dataBytes) {

    public static final String PARTITION_NAME = "SLX_SYS";
    public static final String DATA_FILE = "/data/random.bin";
    private static final long MIB = 1 << 20;

    /**
     * Builds the image in {@code dir} (reusing it when an earlier build with the same data size is
     * there).
     *
     * @param dataMiB size of the random data file; it dominates the partition size
     * @param compression qcow2 compression type: "zstd" or "zlib"
     */
    public static Stage4Image build(Path dir, int dataMiB, String compression) throws IOException {
        Files.createDirectories(dir);
        Path raw = dir.resolve("stage4.raw");
        Path qcow2 = dir.resolve("stage4-" + compression + ".qcow2");
        Path checksumFile = dir.resolve("stage4.sha256");
        Path tree = dir.resolve("tree");
        String sha;
        String key = dataMiB + " " + initScriptHash() + " ";
        if (Files.exists(raw) && Files.exists(checksumFile)
                && Files.readString(checksumFile).startsWith(key)) {
            sha = Files.readString(checksumFile).substring(key.length()).strip();
        } else {
            deleteTree(tree);
            sha = writeTree(tree, dataMiB);
            long partitionMiB = dataMiB + 24;
            assembleDisk(tree, raw, partitionMiB, List.of());
            deleteTree(tree);
            Files.deleteIfExists(qcow2);
            Files.writeString(checksumFile, key + sha + "\n");
        }
        convertWhenStale(raw, qcow2, compression);
        return new Stage4Image(raw, qcow2, sha, dataMiB * MIB);
    }

    /**
     * Writes {@code raw}: a GPT disk with one ext4 partition named {@code SLX_SYS} of
     * {@code partitionMiB}, filled from {@code tree} by {@code mkfs.ext4 -d} (owners and modes as in
     * the tree). {@code privileged} prefixes mkfs when the tree holds files only root may read.
     */
    static void assembleDisk(Path tree, Path raw, long partitionMiB, List<String> privileged) throws IOException {
        Path partition = raw.resolveSibling("partition.img");
        Files.deleteIfExists(partition);
        List<String> mkfs = new java.util.ArrayList<>(privileged);
        mkfs.addAll(List.of("mkfs.ext4", "-q", "-F", "-L", PARTITION_NAME, "-d", tree.toString(),
                partition.toString(), partitionMiB + "M"));
        Tool.of(mkfs).timeout(java.time.Duration.ofMinutes(10)).run();
        Files.deleteIfExists(raw);
        // 1 MiB in front for the GPT, 1 MiB behind for its backup copy.
        try (var file = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength((partitionMiB + 2) * MIB);
        }
        Tool.of("sgdisk", "-o", "-n", "1:2048:+" + partitionMiB + "M", "-c", "1:" + PARTITION_NAME,
                raw.toString()).run();
        Tool.of("dd", "if=" + partition, "of=" + raw, "bs=1M", "seek=1", "conv=notrunc,sparse",
                "status=none").run();
        List<String> remove = new java.util.ArrayList<>(privileged);
        remove.addAll(List.of("rm", "-f", partition.toString()));
        Tool.of(remove).run();
    }

    /** (Re)writes the compressed qcow2 when it is missing or older than the raw disk. */
    static void convertWhenStale(Path raw, Path qcow2, String compression) throws IOException {
        if (!Files.exists(qcow2) || Files.getLastModifiedTime(qcow2).compareTo(Files.getLastModifiedTime(raw)) < 0) {
            Path partial = qcow2.resolveSibling(qcow2.getFileName() + ".partial");
            Tool.of("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2",
                    "-o", "compression_type=" + compression, raw.toString(), partial.toString())
                    .timeout(java.time.Duration.ofMinutes(15)).run();
            Files.move(partial, qcow2, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String initScriptHash() throws IOException {
        try (InputStream script = Stage4Image.class.getResourceAsStream("stage4-init.sh")) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(script.readAllBytes()))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String writeTree(Path tree, int dataMiB) throws IOException {
        for (String d : new String[] {"bin", "sbin", "etc", "proc", "sys", "dev", "run", "tmp", "data", "opt/openslx"}) {
            Files.createDirectories(tree.resolve(d));
        }
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new IOException("/bin/busybox is missing: the stage4 image needs busybox-static "
                    + "(scripts/install-deps.sh installs it)");
        }
        Files.copy(busybox, tree.resolve("bin/busybox"));
        Path init = tree.resolve("sbin/init");
        try (InputStream script = Stage4Image.class.getResourceAsStream("stage4-init.sh")) {
            Files.write(init, script.readAllBytes());
        }
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        // A systemd initramfs checks for os-release in the new root before switching to it.
        Files.writeString(tree.resolve("etc/os-release"),
                "NAME=\"slx-netboot test stage4\"\nID=slx-stage4\nPRETTY_NAME=\"slx-netboot test stage4\"\n");
        return writeRandomData(tree.resolve(DATA_FILE.substring(1)), dataMiB);
    }

    /** Pseudo-random (fixed seed) so the checksum is reproducible; incompressible like real data. */
    static String writeRandomData(Path file, int mib) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Random random = new Random(0x51c5_2025L);
        byte[] block = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(block);
                sha.update(block);
                out.write(block);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
