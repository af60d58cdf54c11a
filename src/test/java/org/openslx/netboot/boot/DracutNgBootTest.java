package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 asks for a module that works with dracut 059 and dracut-ng: the TmpfsCow scenario
 * ({@link TmpfsCowBootTest}) with our initramfs built by dracut-ng (Debian trixie's 106-6,
 * unpacked by {@link DracutNg} beside the host's 059). The first run downloads dracut-ng from
 * deb.debian.org; without it the test fails and says so (it does not skip: CI must notice).
 */
@Tag("vm")
class DracutNgBootTest {

    @Test
    void initramfsBuiltWithDracutNgBootsTheTmpfsCowScenarioAndPowersOffCleanly() throws Exception {
        Path dir = VmRig.scenarioDir("dracut-ng");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = buildWithDracutNg(dir.resolve("initramfs"));

        String listing = Tool.of("lsinitrd", initrd.toString()).run();
        assertThat(listing).as("the initramfs was made by dracut-ng").contains("Version: dracut-" + DracutNg.VERSION);
        assertThat(listing).as("the Java runtime's system libraries went in through dracut-ng's functions")
                .contains("libdl.so.2", "libz.so.1");
        assertThat(listing).as("dracut-ng's DHCP-on-every-interface default is dropped: slx configures the boot interface")
                .doesNotContain("zzzz-dracut-default.network");
        String log = Files.readString(dir.resolve("initramfs/dracut.log"));
        assertThat(log).as("module-setup.sh called no function dracut-ng lacks").doesNotContain("command not found");

        VmRig.bootWithRamCowAndAssert(dir, image, initrd);
    }

    private static Path buildWithDracutNg(Path workDir) throws Exception {
        Files.createDirectories(workDir);
        Dracut.Installation dracutNg = DracutNg.install(DracutNg.defaultCache(),
                line -> System.out.println("dracut-ng: " + line));
        Path out = workDir.resolve("slx-initramfs-dracut-ng.img");
        var options = new InitramfsBuilder.Options(VmRig.kernel(), out, VmRig.freshJar(),
                ProjectFiles.moduleFolder(), workDir);
        var report = InitramfsBuilder.build(options, dracutNg, line -> System.out.println("initramfs: " + line));
        System.out.println("initramfs (dracut-ng): " + report.bytes() + " bytes, dracut modules " + report.dracutModules());
        return out;
    }
}
