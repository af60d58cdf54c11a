package org.openslx.netboot.boot;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A local disk for the client with one GPT partition named {@code OpenSLX-ID44} (the bwLehrpool
 * scratch partition), attached to qemu as a virtio disk. Built with sgdisk, no mounting.
 */
final class Id44Disk {
    static final String PARTITION_NAME = "OpenSLX-ID44";

    private Id44Disk() {
    }

    static Path create(Path file, int partitionMiB) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        try (RandomAccessFile disk = new RandomAccessFile(file.toFile(), "rw")) {
            disk.setLength((partitionMiB + 2L) << 20);
        }
        Tool.of("sgdisk", "-o", "-n", "1:2048:+" + partitionMiB + "M", "-c", "1:" + PARTITION_NAME,
                "-t", "1:87f86132-ff94-4987-b250-444444444444", file.toString()).run();
        return file;
    }

    static List<String> qemuArgs(Path file) {
        return List.of("-drive", "file=" + file + ",if=virtio,format=raw,cache=unsafe");
    }
}
