package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsBuilderTest {

    @Test
    void theReportListsTheDracutModulesDracutSaysItIncluded() {
        String log = """
                dracut: Executing: /usr/bin/dracut --force ...
                dracut: *** Including module: bash ***
                dracut: *** Including module: systemd-networkd ***
                dracut: *** Including module: dnbd3-rootfs ***
                dracut: *** Including modules done ***
                """;
        assertThat(InitramfsBuilder.includedDracutModules(log)).containsExactly("bash", "systemd-networkd", "dnbd3-rootfs");
    }

    @Test
    void theJvmOptionsKeepTheDaemonSmallAndQuickToStart() {
        assertThat(InitramfsBuilder.JVM_OPTIONS).contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData").anySatisfy(o -> assertThat(o).startsWith("-Xmx"));
    }

    @Test
    void theInitramfsJarLeavesOutTheUnusedFoldersAndKeepsEverythingElseInOrder(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("in.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (String name : new String[] {"META-INF/MANIFEST.MF", "aircompressor/linux-amd64/libzstd.so",
                    "org/openslx/A.class", "aircompressor/macos-aarch64/liblz4.dylib", "io/airlift/compress/B.class"}) {
                out.putNextEntry(new ZipEntry(name));
                out.write(name.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        Path copy = dir.resolve("out.jar");
        InitramfsBuilder.copyJarWithout(jar, copy, InitramfsBuilder.UNUSED_JAR_FOLDERS);
        try (ZipFile zip = new ZipFile(copy.toFile())) {
            assertThat(Collections.list(zip.entries())).extracting(ZipEntry::getName)
                    .containsExactly("META-INF/MANIFEST.MF", "org/openslx/A.class", "io/airlift/compress/B.class");
            assertThat(new String(zip.getInputStream(zip.getEntry("org/openslx/A.class")).readAllBytes(),
                    StandardCharsets.UTF_8)).isEqualTo("org/openslx/A.class");
        }
    }

    @Test
    void noKernelModuleTheBootLoadsIsLeftOut() {
        assertThat(InitramfsBuilder.UNUSED_KERNEL_MODULES).doesNotContain("nbd", "dm_mod", "dm_snapshot",
                "dm_bufio", "loop", "virtio_net", "virtio_pci", "virtio_blk", "ext4", "btrfs", "xfs", "xor",
                "raid6_pq", "libcrc32c", "af_packet").allSatisfy(name -> assertThat(name).doesNotContain("-"));
    }
}
