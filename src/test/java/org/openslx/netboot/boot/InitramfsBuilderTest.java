package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InitramfsBuilderTest {

    @Test
    void theReportListsTheDracutModulesDracutSaysItIncluded() {
        String log = """
                dracut: Executing: /usr/bin/dracut --force ...
                dracut: *** Including module: bash ***
                dracut: *** Including module: systemd-networkd ***
                dracut: *** Including module: dnbd3-rootfs ***
                dracut: *** Including modules done ***
                """;
        assertThat(InitramfsBuilder.includedDracutModules(log)).containsExactly("bash", "systemd-networkd", "dnbd3-rootfs");
    }

    @Test
    void theJvmOptionsKeepTheDaemonSmallAndQuickToStart() {
        assertThat(InitramfsBuilder.JVM_OPTIONS).contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData").anySatisfy(o -> assertThat(o).startsWith("-Xmx"));
    }
}
