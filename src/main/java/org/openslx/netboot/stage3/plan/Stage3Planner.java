package org.openslx.netboot.stage3.plan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;
import org.openslx.netboot.stage3.cmdline.BootCommandLineParser;
import org.openslx.netboot.stage3.config.ConfigParser;
import org.openslx.netboot.stage3.config.ParsedConfig;
import org.openslx.netboot.stage3.config.SlxConfig;
import org.openslx.netboot.stage3.config.SlxConfigReader;
import org.openslx.netboot.stage3.machine.Machine;
import org.openslx.netboot.stage3.machine.MachineSource;
import org.openslx.netboot.stage3.network.BootNetwork;
import org.openslx.netboot.stage3.network.BootNetworkResolver;
import org.openslx.netboot.stage3.network.PxeVariables;
import org.openslx.netboot.stage3.stage4.Stage4Planner;
import org.openslx.netboot.stage3.storage.StoragePlan;
import org.openslx.netboot.stage3.storage.StoragePlanner;

/** Computes a {@link Stage3Plan} from its inputs: command line, config text and machine. */
public final class Stage3Planner {
    private Stage3Planner() {
    }

    /**
     * @param configSource   where the config came from (file or URL), for messages
     * @param waitForDevices false for a dry run on a real machine (look once, do not wait)
     */
    public static Stage3Plan plan(String cmdlineText, String configSource, String configText, MachineSource machine,
                                  boolean waitForDevices, Consumer<String> log) throws IOException {
        BootCommandLine cmdline = BootCommandLineParser.parse(cmdlineText);
        BootNetwork network = BootNetworkResolver.resolve(cmdline);
        Map<String, String> derived = new LinkedHashMap<>(PxeVariables.of(cmdline, network));
        ParsedConfig parsed = ConfigParser.parse(configSource, configText, derived);
        SlxConfig config = SlxConfigReader.read(parsed);

        Machine now = machine.snapshot();
        Optional<String> uuid = now.systemUuid();
        StoragePlan storage = new StoragePlanner(config, machine, cmdline.debug(), waitForDevices, log).plan();
        Stage4Planner.Stage4Plan stage4 = Stage4Planner.plan(cmdline, network, derived, config, storage, uuid);

        List<String> warnings = new ArrayList<>(network.warnings());
        warnings.addAll(parsed.warnings());
        warnings.addAll(storage.warnings());
        warnings.addAll(stage4.warnings());
        if (cmdline.configServers().isEmpty()) {
            warnings.add("no slxsrv= on the kernel command line: the boot cannot fetch its config or config.tgz");
        }
        return new Stage3Plan(cmdline, network, derived, configSource, config, uuid, storage, stage4.steps(), warnings);
    }
}
