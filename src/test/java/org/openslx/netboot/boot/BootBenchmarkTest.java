package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BootBenchmarkTest {

    private static BootTranscript bootWithStage4At(String seconds) {
        return new BootTranscript(List.of("[    3.000000] Run /init as init process",
                "SLX-STAGE4: init started at uptime " + seconds));
    }

    @Test
    void eachPhaseTakesTheMedianOfTheBootsThatReachedIt() {
        var medians = BootBenchmark.medians(List.of(bootWithStage4At("40.0"), bootWithStage4At("60.0"),
                bootWithStage4At("45.0"), new BootTranscript(List.of("[    3.500000] Run /init as init process"))));
        assertThat(medians).containsEntry("stage4 init", 45.0).containsEntry("initramfs started", 3.0);
    }

    @Test
    void phaseNamesFollowTheBootOrderAndSkipPhasesNeitherReached() {
        var a = BootBenchmark.medians(List.of(bootWithStage4At("40.0")));
        assertThat(BootBenchmark.phaseNames(a, a)).containsExactly("initramfs started", "stage4 init");
    }
}
