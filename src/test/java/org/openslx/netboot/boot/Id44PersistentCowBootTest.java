package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A client with a local disk holding an ID44 partition and a config asking for a persistent COW:
 * the COW goes to the partition, a second boot of the same image revision finds what the first
 * wrote, and a boot of a new revision (RID) starts from a clean image.
 */
@Tag("vm")
class Id44PersistentCowBootTest {

    @Test
    void persistentCowOnId44KeepsWritesForTheSameRidAndDropsThemForANewRid() throws Exception {
        Path dir = VmRig.scenarioDir("id44");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = VmRig.slxInitramfs();
        Path disk = Id44Disk.create(dir.resolve("local-disk.raw"), 512);
        try (BootSite site = BootSite.start(dir.resolve("srv"), image, VmRig.kernel(), initrd,
                Map.of("SLX_WRITABLE_DEVICE_PERSISTENT", "yes"))) {
            BootTranscript first = boot(site, initrd, disk, dir.resolve("console-1.log"));
            VmRig.assertStage4VerifiedItsData(first, image);
            assertThat(first.cowState()).as("stage3 put the COW on the ID44 partition")
                    .hasValueSatisfying(state -> assertThat(state).contains("cow=partition").contains("persistent=yes"));
            assertThat(first.sawNoPreviousBoot()).isTrue();
            String firstToken = first.linesContaining("SLX-STAGE4: write readback ok").isEmpty() ? null
                    : tokenWritten(first);

            BootTranscript second = boot(site, initrd, disk, dir.resolve("console-2.log"));
            VmRig.assertStage4VerifiedItsData(second, image);
            assertThat(second.previousBootToken()).as("the same RID keeps the first boot's writes").contains(firstToken);

            int rid = site.addRevision(image.qcow2());
            site.setConfig(Map.of("SLX_DNBD3_RID", Integer.toString(rid)));
            BootTranscript third = boot(site, initrd, disk, dir.resolve("console-3.log"));
            VmRig.assertStage4VerifiedItsData(third, image);
            assertThat(third.sawNoPreviousBoot()).as("a new RID starts from the clean image").isTrue();
        }
    }

    private static String tokenWritten(BootTranscript boot) {
        return boot.linesContaining("SLX-STAGE4: wrote token ").stream().findFirst()
                .map(l -> l.substring(l.indexOf("wrote token ") + "wrote token ".length()).strip()).orElse(null);
    }

    private static BootTranscript boot(BootSite site, Path initrd, Path disk, Path console) throws Exception {
        var options = QemuClient.Options.directBoot(VmRig.kernel(), initrd, site.pxeKernelLine(""), console)
                .withLimit(VmRig.BOOT_LIMIT).withExtraArgs(Id44Disk.qemuArgs(disk));
        try (QemuClient vm = QemuClient.start(options, null)) {
            return VmRig.awaitPowerOff(vm);
        }
    }
}
