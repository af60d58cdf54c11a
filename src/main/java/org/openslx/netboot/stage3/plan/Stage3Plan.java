package org.openslx.netboot.stage3.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;
import org.openslx.netboot.stage3.config.SlxConfig;
import org.openslx.netboot.stage3.network.BootNetwork;
import org.openslx.netboot.stage3.storage.StoragePlan;

/**
 * Everything stage3 will do on this boot: the network it found, the config it read, the storage
 * plan and the stage4 setup, with the warnings an admin should see before booting.
 */
public record Stage3Plan(
        BootCommandLine cmdline,
        BootNetwork network,
        Map<String, String> derivedVariables,
        String configSource,
        SlxConfig config,
        Optional<String> systemUuid,
        StoragePlan storage,
        List<Step> stage4Steps,
        List<String> warnings) {

    public Stage3Plan {
        derivedVariables = Map.copyOf(derivedVariables);
        stage4Steps = List.copyOf(stage4Steps);
        warnings = List.copyOf(warnings);
    }

    /** Storage steps, then stage4 steps, in the order they run. */
    public List<Step> steps() {
        return Stream.concat(storage.steps().stream(), stage4Steps.stream()).toList();
    }
}
