package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * slx.break=stage4: the root daemon stops with /sysroot mounted and stage4 not yet set up, and
 * dracut's emergency shell opens on the console. What the admin types there runs in the
 * initramfs; leaving the shell lets the boot go on to stage4.
 */
@Tag("vm")
class SlxBreakBootTest {

    @Test
    void slxBreakOpensAShellBeforeStage4AndTheBootGoesOnWhenItIsLeft() throws Exception {
        Path dir = VmRig.scenarioDir("slx-break");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = VmRig.slxInitramfs();
        try (BootSite site = BootSite.start(dir.resolve("srv"), image, VmRig.kernel(), initrd,
                VmRig.RAM_COW_CONFIG)) {
            var options = QemuClient.Options.directBoot(VmRig.kernel(), initrd,
                    site.pxeKernelLine("slx.break=stage4"), dir.resolve("console.log")).withLimit(VmRig.BOOT_LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                var paused = vm.awaitLine(Pattern.compile("slx\\.break=stage4: boot paused"), VmRig.BOOT_LIMIT);
                assertThat(paused).as("the daemon announced the break").isPresent();
                var prompt = vm.awaitLine(Pattern.compile("Press Enter for maintenance|Give root password"),
                        Duration.ofMinutes(2));
                assertThat(prompt).as("dracut's emergency shell asked for Enter").isPresent();
                vm.type("\n");
                // The shell starts under emulation at its own pace; what is typed waits in the tty.
                // $((6*7)) makes the answer differ from the echo of the typed line.
                Pattern answer = Pattern.compile("^SLX-BREAK-42 (yes|no)$");
                var answered = vm.awaitLine(answer, Duration.ofSeconds(1));
                for (int attempt = 0; answered.isEmpty() && attempt < 6; attempt++) {
                    Thread.sleep(5000);
                    vm.type("echo SLX-BREAK-$((6*7)) $(test -d /sysroot/etc && echo yes || echo no)\n");
                    answered = vm.awaitLine(answer, Duration.ofSeconds(20));
                }
                assertThat(answered).as("the shell ran what was typed").isPresent();
                assertThat(answered.get().group(1)).as("/sysroot (stage4's tree, /etc included) was mounted when the shell opened").isEqualTo("yes");
                vm.type("exit\n");
                // Not VmRig.awaitPowerOff: the break's own emergency-shell lines are on the console already.
                vm.awaitLine(Pattern.compile("reboot: Power down|Kernel panic"), VmRig.BOOT_LIMIT);
                vm.close();
                BootTranscript boot = new BootTranscript(vm.lines());
                assertThat(boot.linesContaining("slx.break=stage4: shell left")).as("the daemon went on").isNotEmpty();
                VmRig.assertStage4VerifiedItsData(boot, image);
            }
        }
    }
}
