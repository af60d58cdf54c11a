package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SwitchPolicyTest {

    private static Duration ms(double millis) {
        return Duration.ofNanos((long) (millis * 1_000_000));
    }

    @Test
    void switchesOnlyWhenThreeQuartersOfTheCurrentRttExceedTheBestPlusThreshold() {
        // threshold 1.8 ms for a new best server: 3/4 · 10 = 7.5 > 5 + 1.8
        assertThat(SwitchPolicy.shouldSwitch(ms(10), ms(5), 0, false)).isTrue();
        // 3/4 · 8 = 6 < 5 + 1.8
        assertThat(SwitchPolicy.shouldSwitch(ms(8), ms(5), 0, false)).isFalse();
        // a server that kept being best needs only ~20 µs lead: 6 > 5 + 0.02
        assertThat(SwitchPolicy.shouldSwitch(ms(8), ms(5), 178, false)).isTrue();
    }

    @Test
    void neverSwitchesDuringStartupButLeavesACurrentServerThatStoppedAnsweringProbes() {
        assertThat(SwitchPolicy.shouldSwitch(ms(100), ms(1), 0, true)).isFalse();
        assertThat(SwitchPolicy.shouldSwitch(null, ms(1), 0, false)).isTrue();
        assertThat(SwitchPolicy.shouldSwitch(ms(100), null, 0, false)).isFalse();
    }

    @Test
    void thresholdShrinksWithTheBestCountDownToTwentyMicroseconds() {
        assertThat(SwitchPolicy.threshold(0)).isEqualTo(Duration.ofNanos(1_800_000));
        assertThat(SwitchPolicy.threshold(90)).isEqualTo(Duration.ofNanos(900_000));
        assertThat(SwitchPolicy.threshold(500)).isEqualTo(Duration.ofNanos(20_000));
    }

    @Test
    void fastestIgnoresUnreachableAndShutOutServersAndUsesTheMeanOfTheLastFourProbes() {
        ServerState a = new ServerState(new ServerAddress("a", 1), false);
        ServerState b = new ServerState(new ServerAddress("b", 1), false);
        ServerState c = new ServerState(new ServerAddress("c", 1), false);
        for (double rtt : new double[] {9, 1, 1, 1, 1}) {
            a.probeSucceeded(ms(rtt)); // the 9 ms sample has left the 4-entry history
        }
        b.probeSucceeded(ms(2));
        b.probeSucceeded(ms(0.2)); // mean 1.1 ms
        c.probeSucceeded(ms(0.1));
        c.probeFailed();
        assertThat(a.rtt().mean()).isEqualTo(ms(1));
        assertThat(SwitchPolicy.fastest(List.of(a, b, c), System.nanoTime())).isSameAs(a);
        a.exclude(System.nanoTime(), Duration.ofMinutes(1), "test");
        assertThat(SwitchPolicy.fastest(List.of(a, b, c), System.nanoTime())).isSameAs(b);
    }

    @Test
    void probesComeEveryTwoSecondsAtStartupThenBackOffToFortyFiveSeconds() {
        ProbeSchedule schedule = new ProbeSchedule();
        for (int round = 1; round < ProbeSchedule.STARTUP_ROUNDS; round++) {
            assertThat(schedule.inStartup()).isTrue();
            assertThat(schedule.roundDone()).isEqualTo(Duration.ofSeconds(2));
        }
        assertThat(schedule.roundDone()).isEqualTo(Duration.ofSeconds(4));
        assertThat(schedule.inStartup()).isFalse();
        Duration last = Duration.ZERO;
        for (int round = 0; round < 40; round++) {
            last = schedule.roundDone();
        }
        assertThat(last).isEqualTo(Duration.ofSeconds(45));
        schedule.switched();
        assertThat(schedule.roundDone()).isEqualTo(Duration.ofSeconds(10));
    }
}
