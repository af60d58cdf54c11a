package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void theConnectLimitDoublesWithEveryFailedRoundUpToThirtySeconds() {
        Backoff patience = Backoff.connectPatience(Duration.ofSeconds(2));
        assertThat(patience.current()).isEqualTo(Duration.ofSeconds(2));
        patience.roundFailed();
        assertThat(patience.current()).isEqualTo(Duration.ofSeconds(4));
        for (int i = 0; i < 10; i++) {
            patience.roundFailed();
        }
        assertThat(patience.current()).isEqualTo(Backoff.MOST_CONNECT_PATIENCE);
    }

    @Test
    void aConfiguredTimeoutAboveTheCapIsKept() {
        Backoff patience = Backoff.connectPatience(Duration.ofMinutes(1));
        patience.roundFailed();
        assertThat(patience.current()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void thePauseBetweenRoundsDoublesUpToItsCap() {
        Backoff pause = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        pause.roundFailed();
        assertThat(pause.current()).isEqualTo(Duration.ofMillis(400));
        for (int i = 0; i < 10; i++) {
            pause.roundFailed();
        }
        assertThat(pause.current()).isEqualTo(Duration.ofSeconds(5));
    }
}
