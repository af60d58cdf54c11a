package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real network boot: qemu's virtio-net option ROM is iPXE; DHCP from qemu's user network
 * points it at slx server's boot.ipxe, which loads our kernel and initramfs over HTTP and boots
 * with the ip=/BOOTIF= line crafted from iPXE's variables. The client then boots as always.
 */
@Tag("vm")
class IpxeNetworkBootTest {

    @Test
    void ipxeLoadsKernelAndInitramfsFromSlxServerAndTheClientReachesStage4() throws Exception {
        Path dir = VmRig.scenarioDir("ipxe");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = VmRig.slxInitramfs();
        try (BootSite site = BootSite.start(dir.resolve("srv"), image, VmRig.kernel(), initrd,
                VmRig.RAM_COW_CONFIG)) {
            Files.writeString(site.data().resolve("boot/" + BootSite.BASE + "/cmdline"),
                    "console=ttyS0\npanic=5\nrd.retry=300\n", StandardOpenOption.APPEND);
            var options = new QemuClient.Options(null, null, null, 1024, 2, QemuClient.DEFAULT_MAC,
                    "bootfile=http://" + site.serverForGuest() + "/" + BootSite.BASE + "/boot.ipxe",
                    List.of("-boot", "n"), dir.resolve("console.log"), VmRig.BOOT_LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                BootTranscript boot = VmRig.awaitPowerOff(vm);
                assertThat(boot.linesContaining("Command line:"))
                        .as("iPXE booted our kernel with the IPAPPEND 3 style line")
                        .anySatisfy(l -> assertThat(l).contains("slxsrv=" + site.serverForGuest())
                                .contains("ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0")
                                .contains("BOOTIF=01-52-54-00-12-34-56"));
                VmRig.assertStage4VerifiedItsData(boot, image);
            }
        }
    }
}
