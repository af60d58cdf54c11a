package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A full systemd distribution as stage4 (Debian bookworm, {@link DebianStage4}): our initramfs
 * switches root into a real systemd, which starts udev, dbus and systemd-networkd on the boot
 * interface, runs the check unit (marker, write, checksum) and then shuts the machine down
 * through {@code systemctl}. The root daemon must survive all of it: networkd taking over the
 * interface, and systemd-shutdown's killing, unmounting and final sync; a single I/O error on
 * the console fails the test. qemu runs with {@code -no-reboot}, so a reboot ends it too: both
 * ends must come by themselves, long before the watchdog.
 */
@Tag("vm")
class FullSystemdStage4BootTest {
    private static final Duration LIMIT = VmRig.BOOT_LIMIT;
    private static final Pattern THE_END = Pattern.compile("reboot: (Power down|Restarting system)|Kernel panic"
            + "|Entering emergency mode|emergency shell|dracut-emergency");

    private static Stage4Image image;

    @BeforeAll
    static void buildDebianStage4() throws Exception {
        image = DebianStage4.build(VmRig.workDir().resolve("stage4-debian"), VmRig.DATA_MIB, "zstd");
    }

    @Test
    void debianStage4WithSystemdVerifiesItsDataAndPowersOffCleanly() throws Exception {
        BootTranscript boot = bootAndWaitForTheEnd("debian-systemd-poweroff", "", false);
        assertBootedVerifiedAndShutDownCleanly(boot);
        assertThat(boot.linesContaining("SLX-STAGE4: calling systemctl poweroff")).as("the check unit asked for a poweroff")
                .isNotEmpty();
        assertThat(boot.poweredOff()).as("the kernel's final power down").isTrue();
    }

    @Test
    void debianStage4WithSystemdRebootsCleanly() throws Exception {
        BootTranscript boot = bootAndWaitForTheEnd("debian-systemd-reboot", DebianStage4.REBOOT_SWITCH, false);
        assertBootedVerifiedAndShutDownCleanly(boot);
        assertThat(boot.linesContaining("SLX-STAGE4: calling systemctl reboot")).as("the check unit asked for a reboot")
                .isNotEmpty();
        assertThat(boot.linesContaining("reboot: Restarting system")).as("the kernel's final restart").isNotEmpty();
    }

    /**
     * The address from DHCP instead of PXE: stage4's systemd-networkd takes the lease over
     * (KeepConfiguration=yes, the same client identifier), so the root's connection never sees
     * the address go away, also when networkd stops at shutdown.
     */
    @Test
    void debianStage4WithAnAddressFromDhcpKeepsItAndPowersOffCleanly() throws Exception {
        BootTranscript boot = bootAndWaitForTheEnd("debian-systemd-dhcp", "", true);
        assertBootedVerifiedAndShutDownCleanly(boot);
        assertThat(boot.poweredOff()).as("the kernel's final power down").isTrue();
    }

    private static void assertBootedVerifiedAndShutDownCleanly(BootTranscript boot) {
        assertThat(boot.linesContaining("SLX-STAGE4: init started")).as("the check ran under stage4's systemd")
                .anySatisfy(line -> assertThat(line).contains("under systemd"));
        assertThat(boot.stage4Sha256()).as("checksum of the data read after switch_root").contains(image.dataSha256());
        assertThat(boot.writeReadBackOk()).as("a write in stage4 read back after dropping caches").isTrue();
        assertThat(boot.daemonName()).as("the root daemon survived switch_root, marked with @")
                .hasValueSatisfying(name -> assertThat(name).startsWith("@"));
        assertThat(boot.linesContaining("SLX-STAGE4: networkd active addresses"))
                .as("stage4's systemd-networkd runs and the boot interface kept its address")
                .anySatisfy(line -> assertThat(line).contains("10.0.2.15/24"));
        assertThat(boot.linesContaining("SLX-STAGE4: shutdown write synced"))
                .as("a write during the shutdown reached the root").isNotEmpty();
        assertThat(boot.ioErrors()).as("I/O errors on the console, during the boot or the shutdown").isEmpty();
    }

    /**
     * Boots the Debian stage4 and waits until the kernel's last word; qemu must then exit by
     * itself (the guest powered off, or rebooted under -no-reboot).
     */
    private static BootTranscript bootAndWaitForTheEnd(String scenario, String extra, boolean dhcp) throws Exception {
        Path dir = VmRig.scenarioDir(scenario);
        Path initrd = VmRig.slxInitramfs();
        try (BootSite site = BootSite.start(dir.resolve("srv"), image, VmRig.kernel(), initrd,
                VmRig.RAM_COW_CONFIG)) {
            var options = QemuClient.Options.directBoot(VmRig.kernel(), initrd, dhcp ? site.dhcpKernelLine(extra) : site.pxeKernelLine(extra),
                    dir.resolve("console.log")).withLimit(LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                vm.awaitLine(THE_END, LIMIT);
                int exit = -1;
                boolean exitedByItself;
                try {
                    exit = vm.awaitExit(Duration.ofSeconds(30));
                    exitedByItself = !vm.killedByWatchdog();
                } catch (java.io.IOException stillRunning) {
                    exitedByItself = false;
                }
                BootTranscript boot = new BootTranscript(vm.lines());
                assertThat(exitedByItself).as("qemu ended by itself (exit %d); console in %s", exit,
                        dir.resolve("console.log")).isTrue();
                return boot;
            }
        }
    }
}
