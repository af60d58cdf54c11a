package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class HangBoundTest {
    private static final Dnbd3ClientOptions DEFAULTS = Dnbd3ClientOptions.defaults();

    @Test
    void withoutAnRttMeasurementTheBoundIsTheFloorOfTwoSeconds() {
        assertThat(HangBound.of(null, DEFAULTS)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aLoopbackOrLanRttKeepsTheBoundJustAboveTheFloor() {
        assertThat(HangBound.of(Duration.ofMillis(1), DEFAULTS)).isEqualTo(Duration.ofMillis(2010));
        assertThat(HangBound.of(Duration.ofMillis(30), DEFAULTS)).isEqualTo(Duration.ofMillis(2300));
    }

    @Test
    void aSlowLinkReachesTheCapOfThreeSecondsAndNoMore() {
        assertThat(HangBound.of(Duration.ofMillis(100), DEFAULTS)).isEqualTo(Duration.ofSeconds(3));
        assertThat(HangBound.of(Duration.ofSeconds(5), DEFAULTS)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void otherFloorsAndCapsAreHonoured() {
        assertThat(HangBound.of(Duration.ofMillis(10), Duration.ofMillis(500), Duration.ofSeconds(1)))
                .isEqualTo(Duration.ofMillis(600));
        assertThat(HangBound.of(Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1)))
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Property
    void theDefaultBoundStaysBetweenTwoAndThreeSecondsAndGrowsWithTheRtt(
            @ForAll @LongRange(min = 0, max = 60_000_000_000L) long rttNanos,
            @ForAll @LongRange(min = 0, max = 1_000_000_000L) long moreNanos) {
        Duration bound = HangBound.of(Duration.ofNanos(rttNanos), DEFAULTS);
        assertThat(bound).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(3));
        assertThat(HangBound.of(Duration.ofNanos(rttNanos + moreNanos), DEFAULTS)).isGreaterThanOrEqualTo(bound);
    }
}
