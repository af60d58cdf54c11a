package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Shared pieces of the end-to-end boot tests: one work folder under {@code target/vm-rig} (kept
 * after the run: console logs are the evidence), the kernel, and the stage4 image, built once.
 */
final class VmRig {
    /** Generous: TCG emulation on two cores shared with other work is slow and uneven. */
    static final Duration BOOT_LIMIT = Duration.ofMinutes(8);
    static final int DATA_MIB = 32;

    private static Stage4Image image;

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

    /** Waits for the VM to power off and returns what its console said. */
    static BootTranscript awaitPowerOff(QemuClient vm) throws Exception {
        vm.awaitLine(Pattern.compile("reboot: Power down|Kernel panic|Dropping to debug shell|emergency"),
                BOOT_LIMIT);
        if (vm.isAlive()) {
            // Give a started power-off a moment; a VM sitting in a shell is killed.
            vm.awaitLine(Pattern.compile("reboot: Power down"), Duration.ofSeconds(20));
        }
        vm.close();
        return new BootTranscript(vm.lines());
    }

    /** The assertions every successful boot must pass. */
    static void assertStage4VerifiedItsData(BootTranscript boot, Stage4Image image) {
        assertThat(boot.reachedStage4()).as("stage4 init ran (marker on the console)").isTrue();
        assertThat(boot.stage4Sha256()).as("checksum of the data read after switch_root")
                .contains(image.dataSha256());
        assertThat(boot.writeReadBackOk()).as("a write in stage4 read back after dropping caches").isTrue();
        assertThat(boot.ioErrors()).as("I/O errors on the console").isEmpty();
        assertThat(boot.poweredOff()).as("clean power-off").isTrue();
    }
}
