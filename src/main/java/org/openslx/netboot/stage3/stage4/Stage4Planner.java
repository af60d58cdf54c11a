package org.openslx.netboot.stage3.stage4;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;
import org.openslx.netboot.stage3.config.SlxConfig;
import org.openslx.netboot.stage3.config.StageFourConfig;
import org.openslx.netboot.stage3.fetch.BootServerUrls;
import org.openslx.netboot.stage3.network.BootNetwork;
import org.openslx.netboot.stage3.network.GeneratedFile;
import org.openslx.netboot.stage3.network.NetworkdFiles;
import org.openslx.netboot.stage3.plan.Step;
import org.openslx.netboot.stage3.storage.StoragePlan;

/**
 * Prepares the mounted stage4 root, in this order:
 * <ol>
 *   <li>the config as fetched, to {@code <SLX_CONFIGURATION_LOCATION>/openslx} (the seed's
 *       /opt/openslx/openslx), and as stage4 scripts source it, with the variables derived from the
 *       command line, to {@code /opt/openslx/config};</li>
 *   <li>{@code config.tgz} from beside the config (absent is fine), extracted over /sysroot with
 *       nothing allowed to reach outside it;</li>
 *   <li>then what keeps the root alive, written after config.tgz so it cannot be overwritten by
 *       accident: networkd files with {@code KeepConfiguration=} and a NetworkManager drop-in for the
 *       boot interface; /etc/fstab (or {@code SLX_GENERATE_FSTAB_SCRIPT}); the root daemon's unit; a
 *       drop-in that keeps the COW's filesystem mounted until systemd's final shutdown step;</li>
 *   <li>last, stage3's log to {@code SLX_LOG_FILE_PATH}.</li>
 * </ol>
 */
public final class Stage4Planner {
    public static final Path STAGE3_LOG = Path.of("/run/openslx/stage3.log");
    static final Path CONFIG_TGZ = Path.of("/run/openslx/config.tgz");
    private static final String FETCH_ARCHIVE = "fetch config.tgz";

    private Stage4Planner() {
    }

    public record Stage4Plan(List<Step> steps, List<String> warnings) {
    }

    public static Stage4Plan plan(BootCommandLine cmdline, BootNetwork network, Map<String, String> derived,
                                  SlxConfig config, StoragePlan storage, Optional<String> uuid) {
        Path sysroot = Path.of(StoragePlan.SYSROOT);
        List<Step> steps = new ArrayList<>();
        List<String> warnings = new ArrayList<>();

        // Downloaded while the files below are written: each first touch of a directory in /sysroot
        // reads the image over the network, and so does the download.
        boolean fetchesArchive = !cmdline.configServers().isEmpty();
        if (fetchesArchive) {
            steps.add(new Step.InBackground(FETCH_ARCHIVE, List.of(new Step.FetchFile("config.tgz",
                    BootServerUrls.of(cmdline.configServers(), cmdline.basePath().orElse(""), "config.tgz", uuid),
                    CONFIG_TGZ, true))));
        }
        Path location = inside(sysroot, config.configurationLocation());
        steps.add(new Step.MakeDirectory(location));
        steps.add(new Step.WriteFile(location.resolve("openslx"), config.parsed().text(), 0644));
        Path optOpenslx = sysroot.resolve("opt/openslx");
        if (!optOpenslx.equals(location)) {
            steps.add(new Step.MakeDirectory(optOpenslx));
        }
        for (String name : derived.keySet()) {
            if (config.parsed().variables().containsKey(name)) {
                warnings.add("the config sets " + name + ", which stage3 derives from the command line; stage4 sees"
                        + " stage3's value '" + derived.get(name) + "'");
            }
        }
        steps.add(new Step.WriteFile(optOpenslx.resolve("config"), StageFourConfig.render(config.parsed(), derived), 0644));

        if (fetchesArchive) {
            steps.add(new Step.AwaitBackground(FETCH_ARCHIVE));
            steps.add(new Step.ExtractArchive(CONFIG_TGZ, sysroot, true));
        }

        Path networkDir = sysroot.resolve("etc/systemd/network");
        steps.add(new Step.MakeDirectory(networkDir));
        for (GeneratedFile file : NetworkdFiles.forStage4(network)) {
            steps.add(new Step.WriteFile(networkDir.resolve(file.name()), file.content(), 0644));
        }
        Path nmDir = sysroot.resolve("etc/NetworkManager/conf.d");
        steps.add(new Step.MakeDirectory(nmDir));
        GeneratedFile nm = NetworkdFiles.networkManagerUnmanaged(network);
        steps.add(new Step.WriteFile(nmDir.resolve(nm.name()), nm.content(), 0644));

        if (!config.generateFstabScript().isEmpty()) {
            // Only SLX_* variables: a config line like PATH=... must not change how the script runs.
            Map<String, String> environment = new LinkedHashMap<>();
            config.parsed().variables().forEach((name, value) -> {
                if (name.startsWith("SLX_")) {
                    environment.put(name, value);
                }
            });
            environment.putAll(derived);
            environment.put("NEWROOT", StoragePlan.SYSROOT);
            environment.put("SLX_ROOT_DEVICE", StoragePlan.ROOT_DEVICE);
            steps.add(new Step.RunProgram("SLX_GENERATE_FSTAB_SCRIPT", config.generateFstabScript(), environment, true));
        } else {
            FstabEntries.Result fstab = FstabEntries.of(storage, config.mountRootOptions());
            warnings.addAll(fstab.warnings());
            steps.add(new Step.UpdateFstab(sysroot.resolve("etc/fstab"), fstab.lines()));
        }

        Path units = sysroot.resolve("etc/systemd/system");
        steps.add(new Step.MakeDirectory(units.resolve("sysinit.target.wants")));
        steps.add(new Step.WriteFile(units.resolve(RootDaemonUnit.NAME),
                RootDaemonUnit.content(config.imageDevice(), config.image(), config.rid()), 0644));
        steps.add(new Step.MakeSymlink(units.resolve("sysinit.target.wants").resolve(RootDaemonUnit.NAME),
                "../" + RootDaemonUnit.NAME));

        for (String mountPoint : CowMountUnit.mountPoint(storage.cow()).stream().toList()) {
            Path dropIns = units.resolve(CowMountUnit.dropInDirectory(mountPoint));
            steps.add(new Step.MakeDirectory(dropIns));
            steps.add(new Step.WriteFile(dropIns.resolve("50-slx-cow.conf"), CowMountUnit.content(mountPoint), 0644));
        }

        config.logFilePath().ifPresent(log -> {
            steps.add(new Step.MakeDirectory(inside(sysroot, log).getParent()));
            steps.add(new Step.CopyFile(STAGE3_LOG, inside(sysroot, log)));
        });
        return new Stage4Plan(steps, warnings);
    }

    /** {@code /opt/openslx} inside /sysroot: {@code /sysroot/opt/openslx}. */
    static Path inside(Path sysroot, Path absolute) {
        return sysroot.resolve(absolute.toString().replaceFirst("^/+", ""));
    }
}
