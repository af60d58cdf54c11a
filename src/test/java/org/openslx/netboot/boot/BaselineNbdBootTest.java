package org.openslx.netboot.boot;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The rig's own check and the benchmark's baseline: dracut's 95nbd module boots the stage4 disk
 * exported raw by qemu-nbd. If this fails, the kernel, qemu or the image is broken, not slx.
 */
@Tag("vm")
class BaselineNbdBootTest {

    @Test
    void dracutsOwnNbdModuleBootsTheStage4DiskFromQemuNbd() throws Exception {
        Path dir = VmRig.scenarioDir("baseline");
        Kernel kernel = VmRig.kernel();
        Stage4Image image = VmRig.stage4Image();
        Path initrd = BaselineBoot.initramfs(kernel, VmRig.workDir());
        try (QemuNbd nbd = QemuNbd.serve(image.raw())) {
            var options = QemuClient.Options.directBoot(kernel, initrd,
                    BaselineBoot.kernelCommandLine(nbd.port()), dir.resolve("console.log"))
                    .withLimit(VmRig.BOOT_LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                BootTranscript boot = VmRig.awaitPowerOff(vm);
                VmRig.assertStage4VerifiedItsData(boot, image);
            }
        }
    }
}
