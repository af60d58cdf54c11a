package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LateReadsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aReadWaitingLongerThanTheThresholdIsReportedOnceAndAgainWhenItCompletes() {
        LateReads late = new LateReads("client 1", Duration.ofSeconds(30));
        Object slow = new Object();
        Object quick = new Object();
        late.started(slow, new Request((short) 0, NbdProtocol.CMD_READ, 7, 4096, 131072), 0);
        late.started(quick, new Request((short) 0, NbdProtocol.CMD_READ, 8, 0, 4096), 25 * SECOND);

        assertThat(late.check(29 * SECOND)).isEmpty();
        assertThat(late.check(31 * SECOND)).containsExactly(
                "client 1: a READ of 131072 bytes at offset 4096 has waited 31 s for the image's data"
                        + " (2 read(s) in flight)");
        assertThat(late.check(41 * SECOND)).as("reported once").isEmpty();

        assertThat(late.finished(quick, 42 * SECOND)).as("a read that was never late").isNull();
        assertThat(late.finished(slow, 95 * SECOND))
                .isEqualTo("client 1: the READ of 131072 bytes at offset 4096 reported late was answered after 95 s");
        assertThat(late.check(200 * SECOND)).isEmpty();
    }
}
