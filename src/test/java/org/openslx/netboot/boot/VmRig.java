package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Shared pieces of the end-to-end boot tests: one work folder under {@code target/vm-rig} (kept
 * after the run: console logs are the evidence), the kernel, the stage4 image and our
 * initramfs, each built once per test run.
 */
final class VmRig {
    /** Generous: TCG emulation on two cores shared with other work is slow and uneven. */
    static final Duration BOOT_LIMIT = Duration.ofMinutes(10);
    static final int DATA_MIB = 32;
    static final String MAC = QemuClient.DEFAULT_MAC;
    /** The PXELINUX IPAPPEND 3 form qemu's user network would give this client. */
    /** The site config of the scenarios with the COW in RAM: 256 MiB, no wait for an ID44 disk. */
    static final Map<String, String> RAM_COW_CONFIG = Map.of("SLX_RAMDISK_SIZE_IN_KB", "262144",
            "SLX_WRITABLE_DEVICE_IDENTIFIER_TIMEOUT_IN_SECONDS", "0");

    static final String PXE_APPEND = "ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0 BOOTIF=01-52-54-00-12-34-56";

    private static Stage4Image image;
    private static Path initramfs;

    private VmRig() {
    }

    static Path workDir() {
        return Path.of("target", "vm-rig").toAbsolutePath();
    }

    static Path scenarioDir(String scenario) {
        return workDir().resolve(scenario);
    }

    static Kernel kernel() throws IOException {
        return Kernel.preferred();
    }

    static synchronized Stage4Image stage4Image() throws IOException {
        if (image == null) {
            image = Stage4Image.build(workDir().resolve("stage4"), DATA_MIB, "zstd");
        }
        return image;
    }

    /** Our initramfs, built from the current sources once per test run. */
    static synchronized Path slxInitramfs() throws IOException {
        if (initramfs == null) {
            Path dir = workDir().resolve("initramfs");
            Files.createDirectories(dir);
            Path out = dir.resolve("slx-initramfs.img");
            var options = new InitramfsBuilder.Options(kernel(), out, freshJar(),
                    ProjectFiles.moduleFolder(), dir);
            var report = InitramfsBuilder.build(options, line -> System.out.println("initramfs: " + line));
            System.out.println("initramfs: " + report.bytes() + " bytes, dracut modules " + report.dracutModules());
            initramfs = out;
        }
        return initramfs;
    }

    /**
     * target/slx.jar, rebuilt when a compiled class is newer: the initramfs carries the shaded
     * jar, which Maven builds only in the package phase, after the tests.
     */
    static Path freshJar() throws IOException {
        Path root = ProjectFiles.root();
        Path jar = root.resolve("target/slx.jar");
        FileTime newestClass;
        try (var files = Files.walk(root.resolve("target/classes"))) {
            newestClass = files.filter(Files::isRegularFile).map(VmRig::modified)
                    .max(FileTime::compareTo).orElse(FileTime.fromMillis(0));
        }
        if (!Files.exists(jar) || modified(jar).compareTo(newestClass) < 0) {
            Tool.of("mvn", "-B", "-q", "-o", "-DskipTests", "package").in(root)
                    .env("JAVA_HOME", InitramfsBuilder.JDK.toString()).timeout(Duration.ofMinutes(10)).run();
        }
        return jar;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Waits for the VM to power off and returns what its console said. */
    static BootTranscript awaitPowerOff(QemuClient vm) throws Exception {
        vm.awaitLine(Pattern.compile("reboot: Power down|Kernel panic|Dropping to debug shell"
                + "|Entering emergency mode|emergency shell|dracut-emergency"), BOOT_LIMIT);
        if (vm.isAlive()) {
            // Give a started power-off a moment; a VM sitting in a shell is killed.
            vm.awaitLine(Pattern.compile("reboot: Power down"), Duration.ofSeconds(20));
        }
        vm.close();
        return new BootTranscript(vm.lines());
    }

    /**
     * The main scenario with the given initramfs: PXE-style kernel line, COW in RAM; asserts what
     * such a boot must show (data verified, daemon marked with @, writes in the COW, the dm root).
     */
    static void bootWithRamCowAndAssert(Path dir, Stage4Image image, Path initrd) throws Exception {
        try (BootSite site = BootSite.start(dir.resolve("srv"), image, kernel(), initrd, RAM_COW_CONFIG)) {
            var options = QemuClient.Options.directBoot(kernel(), initrd, site.pxeKernelLine(""),
                    dir.resolve("console.log")).withLimit(BOOT_LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                BootTranscript boot = awaitPowerOff(vm);
                assertStage4VerifiedItsData(boot, image);
                assertThat(boot.daemonName()).as("the root daemon survived switch_root, marked with @")
                        .hasValueSatisfying(name -> assertThat(name).startsWith("@"));
                assertThat(boot.cowAllocatedKib()).as("stage4's writes landed in the COW file in RAM")
                        .hasValueSatisfying(cow -> assertThat(cow.getValue()).isPositive());
                assertThat(boot.linesContaining("SLX-STAGE4: root /dev/mapper/slx-root"))
                        .as("stage4's root is the dm snapshot").isNotEmpty();
                assertThat(boot.linesContaining("SLX-STAGE4: virtio_net napi_tx N"))
                        .as("virtio-net runs without transmit NAPI (power-off lockup)").isNotEmpty();
            }
        }
    }

    /** The assertions every successful boot must pass. */
    static void assertStage4VerifiedItsData(BootTranscript boot, Stage4Image image) {
        // CI shows only the failure message: the console's last lines say where the boot stopped.
        String tail = "; the console ended with:\n" + boot.tail(25);
        assertThat(boot.reachedStage4()).as("stage4 init ran (marker on the console)" + tail).isTrue();
        assertThat(boot.stage4Sha256()).as("checksum of the data read after switch_root" + tail)
                .contains(image.dataSha256());
        assertThat(boot.writeReadBackOk()).as("a write in stage4 read back after dropping caches" + tail).isTrue();
        assertThat(boot.ioErrors()).as("I/O errors on the console").isEmpty();
        assertThat(boot.poweredOff()).as("clean power-off" + tail).isTrue();
    }
}
