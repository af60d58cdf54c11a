package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The main scenario: `slx server` on loopback, a PXELINUX-style kernel line (IPAPPEND 3), our
 * initramfs, the SLX config fetched and planned by stage3, the root daemon serving the qcow2
 * image on /dev/nbd0, a COW in RAM, switch_root into stage4, which verifies its data and powers
 * off. The image comes over dnbd3 from slx server.
 */
@Tag("vm")
class TmpfsCowBootTest {

    @Test
    void clientBootsFromTheQcow2ImageWithACowInRamAndPowersOffCleanly() throws Exception {
        Path dir = VmRig.scenarioDir("tmpfs-cow");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = VmRig.slxInitramfs();
        try (BootSite site = BootSite.start(dir.resolve("srv"), image, VmRig.kernel(), initrd,
                Map.of("SLX_RAMDISK_SIZE_IN_KB", "262144", "SLX_WRITABLE_DEVICE_IDENTIFIER_TIMEOUT_IN_SECONDS", "0"))) {
            String append = site.pxeKernelLine("");
            var options = QemuClient.Options.directBoot(VmRig.kernel(), initrd, append, dir.resolve("console.log"))
                    .withLimit(VmRig.BOOT_LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                BootTranscript boot = VmRig.awaitPowerOff(vm);
                VmRig.assertStage4VerifiedItsData(boot, image);
                assertThat(boot.daemonName()).as("the root daemon survived switch_root, marked with @")
                        .hasValueSatisfying(name -> assertThat(name).startsWith("@"));
                assertThat(boot.cowAllocatedKib()).as("stage4's writes landed in the COW file in RAM")
                        .hasValueSatisfying(cow -> assertThat(cow.getValue()).isPositive());
                assertThat(boot.linesContaining("SLX-STAGE4: root /dev/mapper/slx-root"))
                        .as("stage4's root is the dm snapshot").isNotEmpty();
            }
        }
    }
}
