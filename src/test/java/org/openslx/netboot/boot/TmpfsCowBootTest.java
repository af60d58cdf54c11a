package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The main scenario: a PXE-style kernel line, our initramfs, the root daemon serving the qcow2
 * image on /dev/nbd0, a COW in RAM, switch_root into stage4, which verifies its data and powers
 * off. INTERIM parts, until they land on main: the image comes over HTTP (not dnbd3) from a
 * stand-in file server, named on the kernel line (not in the SLX config).
 */
@Tag("vm")
class TmpfsCowBootTest {

    @Test
    void clientBootsFromTheQcow2ImageWithACowInRamAndPowersOffCleanly() throws Exception {
        Path dir = VmRig.scenarioDir("tmpfs-cow");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = VmRig.slxInitramfs();
        Path served = dir.resolve("served");
        Files.createDirectories(served);
        Files.deleteIfExists(served.resolve("stage4.qcow2"));
        Files.createLink(served.resolve("stage4.qcow2"), image.qcow2());
        try (InterimFileServer server = InterimFileServer.serve(served)) {
            String host = QemuClient.HOST_FROM_GUEST + ":" + server.port();
            String append = "console=ttyS0 panic=5 rd.retry=300 slxsrv=" + host + " slxbase=test "
                    + VmRig.PXE_APPEND + " slxinterim.image=http://" + host + "/stage4.qcow2";
            var options = QemuClient.Options.directBoot(VmRig.kernel(), initrd, append, dir.resolve("console.log"))
                    .withLimit(VmRig.BOOT_LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                BootTranscript boot = VmRig.awaitPowerOff(vm);
                VmRig.assertStage4VerifiedItsData(boot, image);
                assertThat(boot.daemonName()).as("the root daemon survived switch_root, marked with @")
                        .hasValueSatisfying(name -> assertThat(name).startsWith("@"));
                assertThat(boot.cowAllocatedKib()).as("stage4's writes landed in the COW file")
                        .hasValueSatisfying(cow -> assertThat(cow.getValue()).isPositive());
            }
        }
    }
}
