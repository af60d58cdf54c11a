package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a client's console: the lines are taken from real boots of the test rig. */
class BootTranscriptTest {
    private static final String SHA = "20470002223c7b10771062053737df8bfcc99003fd5eaa16304602d31e912c23";

    private static final List<String> OUR_BOOT = List.of(
            "[    2.912345] Run /init as init process",
            "[   61.910000] slx: root daemon up, JVM started in 18.89 s (process start at 42.88 s)",
            "[   69.800000] slx: network up",
            "[   75.100000] slx: root device /dev/nbd0: partition SLX_SYS of http://10.0.2.2:1/x, 56 MiB",
            "[   80.200000] slx: root mounted on /sysroot",
            "[  OK  ] Reached target initrd-switch-root.target - Switch Root.",
            "         Starting initrd-switch-root.service - Switch Root...",
            "[  136.796094] systemd-journald[112]: Received SIGTERM from PID 1 (systemd).",
            "[  137.140000] slx: serving /dev/nbd0: 158683 bytes fetched in 22 reads, RSS 68876 KiB",
            "SLX-STAGE4: init started at uptime 153.06",
            "SLX-STAGE4: write readback ok",
            "[  200.000000] slx: serving /dev/nbd0: 34837171 bytes fetched in 317 reads, RSS 70000 KiB",
            "SLX-STAGE4: sha256 " + SHA + " at uptime 243.11",
            "SLX-STAGE4: cow /run/slx/cow.img allocated-kib 3732",
            "SLX-STAGE4: daemon @slx-daemon @/opt/slx/jvm.args -cp slx.jar org.openslx.netbo pid 235 rss-kib 71028",
            "SLX-STAGE4: powering off at uptime 249.97",
            "[  250.066754] reboot: Power down");

    @Test
    void aSuccessfulBootReportsItsChecksumWritesCowDaemonAndPowerOff() {
        BootTranscript boot = new BootTranscript(OUR_BOOT);
        assertThat(boot.reachedStage4()).isTrue();
        assertThat(boot.stage4Sha256()).contains(SHA);
        assertThat(boot.writeReadBackOk()).isTrue();
        assertThat(boot.cowAllocatedKib()).contains(Map.entry("/run/slx/cow.img", 3732L));
        assertThat(boot.daemonRssKib()).hasValue(71028);
        assertThat(boot.daemonName()).hasValueSatisfying(n -> assertThat(n).startsWith("@slx-daemon"));
        assertThat(boot.poweredOff()).isTrue();
        assertThat(boot.ioErrors()).isEmpty();
    }

    @Test
    void bytesFetchedIsTheDaemonsLastStatusLine() {
        assertThat(new BootTranscript(OUR_BOOT).bytesFetched()).hasValue(34837171);
    }

    @Test
    void phasesAreTimedByKernelStampsOrStage4UptimeInBootOrder() {
        Map<String, Double> phases = new BootTranscript(OUR_BOOT).milestones();
        assertThat(phases).containsEntry("initramfs started", 2.912345)
                .containsEntry("slx daemon up (JVM started)", 61.91)
                .containsEntry("network up", 69.8)
                .containsEntry("root device attached", 75.1)
                .containsEntry("root mounted", 80.2)
                .containsEntry("stage4 init", 153.06)
                .containsEntry("stage4 data verified", 243.11)
                .containsEntry("powered off", 250.066754);
        assertThat(phases.keySet()).containsSubsequence("initramfs started", "network up", "switch_root", "powered off");
    }

    @Test
    void aLineWithoutTimeStampTakesTheNextStampedLinesTime() {
        assertThat(new BootTranscript(OUR_BOOT).milestones()).containsEntry("switch_root", 136.796094);
    }

    @Test
    void theBaselinesDhcpLineIsItsNetworkPhase() {
        BootTranscript boot = new BootTranscript(List.of(
                "[   18.268758] dracut: Starting dhcp for interface eth0",
                "dhcp: BOUND setting up eth0",
                "[   19.500000] dracut: something later",
                "[   22.515828] nbd0: detected capacity change from 0 to 135168"));
        assertThat(boot.milestones()).containsEntry("network up", 19.5).containsEntry("root device attached", 22.515828);
    }

    @Test
    void kernelIoErrorsAndPanicsAreReported() {
        BootTranscript boot = new BootTranscript(List.of(
                "[   30.1] blk_update_request: I/O error, dev nbd0, sector 2048 op 0x0:(READ)",
                "[   30.2] Buffer I/O error on dev dm-0, logical block 12, async page read",
                "[   30.3] device-mapper: snapshots: Invalidating snapshot: Unable to allocate exception.",
                "[   31.0] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100",
                "[   32.0] everything fine here"));
        assertThat(boot.ioErrors()).hasSize(4);
    }

    @Test
    void aBootThatNeverReachedStage4SaysSo() {
        BootTranscript boot = new BootTranscript(List.of("[ 3.0] Run /init as init process", "[ 90.0] slx: FAILED: no config"));
        assertThat(boot.reachedStage4()).isFalse();
        assertThat(boot.stage4Sha256()).isEmpty();
        assertThat(boot.poweredOff()).isFalse();
        assertThat(boot.bytesFetched()).isEmpty();
    }
}
