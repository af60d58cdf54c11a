package org.openslx.netboot.boot;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * INTERIM, until the stage3 storage plan and executor land on main: the simplest COW layer
 * (a sparse file in RAM on a loop device under a dm snapshot, as dmsquash-live does) and the
 * mount of /sysroot. The stage3 plan replaces this with the config's choice (ID44 disk,
 * persistent COW, mount options).
 */
final class InterimStorage {
    static final String DM_NAME = "slx-root";

    private InterimStorage() {
    }

    /** Creates the snapshot over {@code origin} and mounts it read-write on {@code sysroot}. */
    static void setUp(String origin, long originBytes, Path stateDir, long cowBytes, Path sysroot)
            throws IOException {
        Path cow = stateDir.resolve("cow.img");
        try (RandomAccessFile file = new RandomAccessFile(cow.toFile(), "rw")) {
            file.setLength(cowBytes);
        }
        Commands.run("modprobe", "dm-snapshot");
        Commands.run("modprobe", "loop");
        String loop = Commands.run("losetup", "--find", "--show", cow.toString());
        long sectors = originBytes / 512;
        // N: not persistent (RAM); chunk size 8 sectors = 4 KiB.
        String table = "0 " + sectors + " snapshot " + origin + " " + loop + " N 8";
        BootLog.info("COW: " + (cowBytes >> 20) + " MiB sparse file in RAM on " + loop
                + "; dm table: " + table);
        Commands.run("dmsetup", "create", DM_NAME, "--table", table);
        Files.createDirectories(sysroot);
        Commands.run("mount", "-o", "rw", "/dev/mapper/" + DM_NAME, sysroot.toString());
    }
}
