package org.openslx.netboot.boot;


import java.nio.file.Path;
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
        VmRig.bootWithRamCowAndAssert(dir, image, initrd);
    }
}
