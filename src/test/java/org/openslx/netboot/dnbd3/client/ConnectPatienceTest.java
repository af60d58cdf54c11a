package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectPatienceTest {

    @Test
    void theLimitDoublesWithEveryFailedRoundUpToThirtySeconds() {
        ConnectPatience patience = new ConnectPatience(Duration.ofSeconds(2));
        assertThat(patience.current()).isEqualTo(Duration.ofSeconds(2));
        patience.roundFailed();
        assertThat(patience.current()).isEqualTo(Duration.ofSeconds(4));
        for (int i = 0; i < 10; i++) {
            patience.roundFailed();
        }
        assertThat(patience.current()).isEqualTo(ConnectPatience.MOST);
    }

    @Test
    void aConfiguredTimeoutAboveTheCapIsKept() {
        ConnectPatience patience = new ConnectPatience(Duration.ofMinutes(1));
        patience.roundFailed();
        assertThat(patience.current()).isEqualTo(Duration.ofMinutes(1));
    }
}
