package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two dnbd3 servers with the image; the one the client uses is killed as soon as the root device
 * is attached, before the root is mounted and stage4 reads its data. The dnbd3 client fails over
 * to the other, the NBD device never returns an error, and the boot completes.
 */
@Tag("vm")
class Dnbd3FailoverBootTest {

    @Test
    void bootCompletesWhenTheCurrentDnbd3ServerDiesDuringTheBoot() throws Exception {
        Path dir = VmRig.scenarioDir("failover");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = VmRig.slxInitramfs();
        Map<String, String> config = Map.of("SLX_RAMDISK_SIZE_IN_KB", "262144",
                "SLX_WRITABLE_DEVICE_IDENTIFIER_TIMEOUT_IN_SECONDS", "0");
        try (BootSite second = BootSite.start(dir.resolve("srv-b"), image, VmRig.kernel(), initrd, config)) {
            BootSite first = BootSite.start(dir.resolve("srv-a"), image, VmRig.kernel(), initrd, config);
            try {
                first.setConfig(Map.of("SLX_DNBD3_SERVERS", first.serverForGuest() + " " + second.serverForGuest()));
                var options = QemuClient.Options.directBoot(VmRig.kernel(), initrd, first.pxeKernelLine(""),
                        dir.resolve("console.log")).withLimit(VmRig.BOOT_LIMIT);
                try (QemuClient vm = QemuClient.start(options, null)) {
                    var attached = vm.awaitLine(Pattern.compile("slx: root device /dev/nbd0"), VmRig.BOOT_LIMIT);
                    assertThat(attached).as("the root device was attached").isPresent();
                    first.close();
                    BootTranscript boot = VmRig.awaitPowerOff(vm);
                    VmRig.assertStage4VerifiedItsData(boot, image);
                    assertThat(boot.linesContaining("slx: serving /dev/nbd0"))
                            .as("the daemon reports it switched to the second server")
                            .anySatisfy(line -> assertThat(line).contains("server " + second.serverForGuest())
                                    .doesNotContain(" 0 switch"));
                }
            } finally {
                first.close();
            }
        }
    }
}
