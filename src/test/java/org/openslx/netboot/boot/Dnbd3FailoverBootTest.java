package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two dnbd3 servers with the image (the boot server with the config is a third, which stays up);
 * the one the client connected to is killed as soon as the root device is attached, before the
 * root is mounted and stage4 reads its data. The dnbd3 client fails over to the other, the NBD
 * device never returns an error, and the boot completes.
 */
@Tag("vm")
class Dnbd3FailoverBootTest {

    @Test
    void bootCompletesWhenTheCurrentDnbd3ServerDiesDuringTheBoot() throws Exception {
        Path dir = VmRig.scenarioDir("failover");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = VmRig.slxInitramfs();
        Map<String, String> config = VmRig.RAM_COW_CONFIG;
        try (BootSite boot = BootSite.start(dir.resolve("srv-boot"), image, VmRig.kernel(), initrd, config);
             BootSite b = BootSite.start(dir.resolve("srv-b"), image, VmRig.kernel(), initrd, config);
             BootSite c = BootSite.start(dir.resolve("srv-c"), image, VmRig.kernel(), initrd, config)) {
            boot.setConfig(Map.of("SLX_DNBD3_SERVERS", b.serverForGuest() + " " + c.serverForGuest()));
            var options = QemuClient.Options.directBoot(VmRig.kernel(), initrd, boot.pxeKernelLine(""),
                    dir.resolve("console.log")).withLimit(VmRig.BOOT_LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                var connected = vm.awaitLine(Pattern.compile("slx: client: .* connected to (\\S+), image"), VmRig.BOOT_LIMIT);
                assertThat(connected).as("the dnbd3 client connected").isPresent();
                BootSite current = connected.get().group(1).equals(b.serverForGuest()) ? b : c;
                BootSite other = current == b ? c : b;
                assertThat(vm.awaitLine(Pattern.compile("slx: root device /dev/nbd0"), VmRig.BOOT_LIMIT)).isPresent();
                current.close();
                BootTranscript transcript = VmRig.awaitPowerOff(vm);
                VmRig.assertStage4VerifiedItsData(transcript, image);
                assertThat(transcript.linesContaining("switched from " + current.serverForGuest()))
                        .as("the client switched away from the killed server").isNotEmpty();
                assertThat(transcript.linesContaining("slx: serving /dev/nbd0"))
                        .as("and serves from the other one")
                        .anySatisfy(line -> assertThat(line).contains("server " + other.serverForGuest()));
            }
        }
    }
}
