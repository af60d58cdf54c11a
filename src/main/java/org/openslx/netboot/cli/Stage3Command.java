package org.openslx.netboot.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;
import org.openslx.netboot.stage3.cmdline.BootCommandLineParser;
import org.openslx.netboot.stage3.cmdline.IpParameter;
import org.openslx.netboot.stage3.cmdline.KernelCommandLine;
import org.openslx.netboot.stage3.config.ConfigParser;
import org.openslx.netboot.stage3.config.ShellQuoting;
import org.openslx.netboot.stage3.config.SlxConfigReader;
import org.openslx.netboot.stage3.config.Words;
import org.openslx.netboot.stage3.exec.CommandImageAttacher;
import org.openslx.netboot.stage3.exec.Executor;
import org.openslx.netboot.stage3.exec.ImageAttacher;
import org.openslx.netboot.stage3.exec.ProcessCommandRunner;
import org.openslx.netboot.stage3.fetch.BootServerUrls;
import org.openslx.netboot.stage3.fetch.FetchResult;
import org.openslx.netboot.stage3.fetch.HttpFetcher;
import org.openslx.netboot.stage3.fetch.RetryPolicy;
import org.openslx.netboot.stage3.machine.BootClock;
import org.openslx.netboot.stage3.machine.DescribedMachine;
import org.openslx.netboot.stage3.machine.MachineSource;
import org.openslx.netboot.stage3.machine.SysfsMachineProbe;
import org.openslx.netboot.stage3.machine.SystemUuid;
import org.openslx.netboot.stage3.network.BootNetwork;
import org.openslx.netboot.stage3.network.BootNetworkResolver;
import org.openslx.netboot.stage3.network.GeneratedFile;
import org.openslx.netboot.stage3.network.NetworkReport;
import org.openslx.netboot.stage3.network.NetworkdFiles;
import org.openslx.netboot.stage3.network.PxeVariables;
import org.openslx.netboot.stage3.plan.PlanJson;
import org.openslx.netboot.stage3.plan.PlanRenderer;
import org.openslx.netboot.stage3.plan.Stage3Plan;
import org.openslx.netboot.stage3.plan.Stage3Planner;
import org.openslx.netboot.stage3.plan.Step;
import org.openslx.netboot.stage3.stage4.Stage4Planner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slx stage3}: the boot logic. {@code plan} shows an admin what a boot will do; the other
 * subcommands are what the dracut module calls during the boot.
 */
@Command(name = "stage3",
        description = "Stage3 boot logic: kernel command line, SLX config, network, storage, stage4 setup.",
        subcommands = {
                Stage3Command.Plan.class,
                Stage3Command.Cmdline.class,
                Stage3Command.FetchConfig.class,
                Stage3Command.Run.class,
        })
final class Stage3Command implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** {@code --cmdline TEXT}, shared by the subcommands; without it the running kernel's. */
    static final class KernelCmdline {
        @Option(names = "--cmdline", paramLabel = "TEXT", description = "Kernel command line (default: /proc/cmdline).")
        String text;

        String read() throws IOException {
            return text != null ? text : Files.readString(Path.of("/proc/cmdline"));
        }
    }

    /** Fetches the config as the boot does: every slxsrv server, with retries, ?uuid= when known. */
    static FetchedConfig fetchConfig(BootCommandLine cmdline, RetryPolicy policy, Consumer<String> log) throws IOException {
        if (cmdline.configServers().isEmpty()) {
            throw new IOException("the kernel command line has no slxsrv=: there is no server to fetch the config from");
        }
        Optional<String> uuid = SystemUuid.read(Path.of("/"));
        List<URI> urls = BootServerUrls.of(cmdline.configServers(), cmdline.basePath().orElse(""), "config", uuid);
        return fetch(urls, policy, log, "no boot server has a config at " + urls.getFirst()
                + " (HTTP 404 from every server): check slxbase=");
    }

    static FetchedConfig fetch(List<URI> urls, RetryPolicy policy, Consumer<String> log, String whenAbsent)
            throws IOException {
        try (HttpFetcher fetcher = new HttpFetcher(policy, log)) {
            return switch (fetcher.fetch("config", urls)) {
                case FetchResult.Fetched f -> new FetchedConfig(f.from().toString(), new String(f.body(), StandardCharsets.UTF_8));
                case FetchResult.Absent a -> throw new IOException(whenAbsent);
            };
        }
    }

    record FetchedConfig(String source, String text) {
    }

    static Consumer<String> stderrLog(Optional<Path> file) {
        return line -> {
            System.err.println("stage3: " + line);
            file.ifPresent(f -> {
                try {
                    Files.createDirectories(f.getParent());
                    Files.writeString(f, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    // The log on stderr is what counts; a missing log file must not stop the boot.
                }
            });
        };
    }

    @Command(name = "plan",
            description = {"Show what a boot with this command line, config and machine would do: network, servers,"
                    + " image and RID, root partition, copy-on-write choice and dm table, mounts, stage4 steps, warnings.",
                    "Without --machine the disks of this machine are read (once: nothing is waited for)."})
    static final class Plan implements Callable<Integer> {
        @CommandLine.Mixin
        KernelCmdline cmdline;

        @Option(names = "--config", paramLabel = "FILE|URL",
                description = "The SLX config: a file or an http:// URL (default: fetched from the command line's slxsrv).")
        String config;

        @Option(names = "--machine", paramLabel = "FILE",
                description = "A machine description (JSON, see DescribedMachine) instead of this machine's disks.")
        Path machine;

        @Option(names = "--json", description = "Print the plan as JSON.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            String cmdlineText = cmdline.read();
            Consumer<String> quiet = line -> {
            };
            FetchedConfig fetched;
            if (config == null) {
                fetched = fetchConfig(BootCommandLineParser.parse(cmdlineText),
                        RetryPolicy.BOOT.withTotalBudget(Duration.ofSeconds(30)), stderrLog(Optional.empty()));
            } else if (config.startsWith("http://") || config.startsWith("https://")) {
                fetched = fetch(List.of(URI.create(config)), RetryPolicy.BOOT.withTotalBudget(Duration.ofSeconds(30)),
                        stderrLog(Optional.empty()), config + " does not exist (HTTP 404)");
            } else {
                Path file = Path.of(config);
                if (!Files.isReadable(file)) {
                    throw new IOException("config file " + file + " does not exist or is not readable");
                }
                fetched = new FetchedConfig(file.toString(), Files.readString(file));
            }
            MachineSource source = machine != null ? DescribedMachine.read(machine)
                    : new SysfsMachineProbe(Path.of("/"), new ProcessCommandRunner(), BootClock.real());
            Stage3Plan plan = Stage3Planner.plan(cmdlineText, fetched.source(), fetched.text(), source, machine != null, quiet);
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? PlanJson.write(plan) : PlanRenderer.render(plan));
            out.flush();
            return 0;
        }
    }

    @Command(name = "cmdline",
            description = {"Read the kernel command line: print what it means for the network and the SLX_PXE_*"
                    + " variables, and write the systemd-networkd files (for the initramfs, or with --stage4 for stage4)."})
    static final class Cmdline implements Callable<Integer> {
        @CommandLine.Mixin
        KernelCmdline cmdline;

        @Option(names = "--networkd-dir", paramLabel = "DIR",
                description = "Write the .link and .network files into DIR (e.g. /etc/systemd/network).")
        Path networkdDir;

        @Option(names = "--stage4", description = "Write the stage4 variant (KeepConfiguration=) instead.")
        boolean stage4;

        @Option(names = "--env-file", paramLabel = "FILE",
                description = "Write the SLX_PXE_* variables (and SLX_KCL_SERVERS, SLX_BASE_PATH, SLX_STAGE3_DEBUG,"
                        + " SLX_STAGE3_BREAK) to FILE, shell-quoted.")
        Path envFile;

        @Option(names = "--dracut-cmdline", paramLabel = "FILE",
                description = {"Write the command line without the ip= parameters in PXELINUX/iPXE form to FILE:"
                        + " dracut's own ip= parser stops the boot on them, so the module can bind-mount FILE over"
                        + " /proc/cmdline (the seed's workaround) once stage3 has taken over the network."})
        Path dracutCmdline;

        @Option(names = "--quiet", description = "Print nothing on success.")
        boolean quiet;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            BootCommandLine parsed = BootCommandLineParser.parse(cmdline.read());
            BootNetwork network = BootNetworkResolver.resolve(parsed);
            if (networkdDir != null) {
                Files.createDirectories(networkdDir);
                for (GeneratedFile file : stage4 ? NetworkdFiles.forStage4(network) : NetworkdFiles.forInitramfs(network)) {
                    Files.writeString(networkdDir.resolve(file.name()), file.content());
                }
            }
            if (dracutCmdline != null) {
                Set<String> pxeForms = new HashSet<>();
                for (IpParameter ip : parsed.ipParameters()) {
                    if (ip.form() == IpParameter.Form.PXELINUX || ip.form() == IpParameter.Form.IPXE_WITH_DNS) {
                        pxeForms.add(ip.source());
                    }
                }
                String rewritten = KernelCommandLine.parse(parsed.text())
                        .without(p -> p.key().equals("ip") && p.value().filter(pxeForms::contains).isPresent());
                Files.writeString(dracutCmdline, rewritten + "\n");
            }
            if (envFile != null) {
                StringBuilder env = new StringBuilder();
                for (Map.Entry<String, String> e : PxeVariables.of(parsed, network).entrySet()) {
                    env.append(e.getKey()).append('=').append(ShellQuoting.singleQuote(e.getValue())).append('\n');
                }
                // For the dracut module only (not stage4's config): slx.debug and slx.break=.
                env.append("SLX_STAGE3_DEBUG=").append(parsed.debug().verbose() ? "'1'" : "''").append('\n');
                env.append("SLX_STAGE3_BREAK=").append(ShellQuoting.singleQuote(String.join(" ",
                        parsed.debug().breakBefore().stream().sorted().toList()))).append('\n');
                if (envFile.getParent() != null) {
                    Files.createDirectories(envFile.getParent());
                }
                Files.writeString(envFile, env.toString());
            }
            if (!quiet) {
                spec.commandLine().getOut().print(NetworkReport.render(parsed, network));
                spec.commandLine().getOut().flush();
            } else {
                network.warnings().forEach(w -> System.err.println("stage3: warning: " + w));
            }
            return 0;
        }
    }

    @Command(name = "fetch-config",
            description = {"Fetch the SLX config from http://<slxsrv>/<slxbase>/config (?uuid= when the machine's UUID"
                    + " is known), trying every server with retries, check that it reads as data, and save it."})
    static final class FetchConfig implements Callable<Integer> {
        @CommandLine.Mixin
        KernelCmdline cmdline;

        @Option(names = "--output", paramLabel = "FILE", defaultValue = "/etc/openslx",
                description = "Where to save the config (default: ${DEFAULT-VALUE}, as the seed says).")
        Path output;

        @Option(names = "--budget", paramLabel = "SECONDS", defaultValue = "120",
                description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
        int budget;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
                description = "Time for one request (default: ${DEFAULT-VALUE}).")
        int timeout;

        @Override
        public Integer call() throws IOException {
            BootCommandLine parsed = BootCommandLineParser.parse(cmdline.read());
            Map<String, String> derived = PxeVariables.of(parsed, BootNetworkResolver.resolve(parsed));
            RetryPolicy policy = RetryPolicy.BOOT.withTotalBudget(Duration.ofSeconds(budget))
                    .withPerTry(Duration.ofSeconds(timeout));
            FetchedConfig fetched = fetchConfig(parsed, policy, stderrLog(Optional.empty()));
            SlxConfigReader.read(ConfigParser.parse(fetched.source(), fetched.text(), derived));
            if (output.getParent() != null) {
                Files.createDirectories(output.getParent());
            }
            Files.writeString(output, fetched.text());
            System.err.println("stage3: config from " + fetched.source() + " saved as " + output);
            return 0;
        }
    }

    @Command(name = "run",
            description = {"The boot: plan from the kernel command line, the config and this machine's disks, then"
                    + " execute it step by step (attach the image, copy-on-write layer, /sysroot, stage4 setup).",
                    "Stops at the first failing step with what failed and what to check."})
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        KernelCmdline cmdline;

        @Option(names = "--config", paramLabel = "FILE",
                description = "The config saved by fetch-config (default: fetch it now and save it as /etc/openslx).")
        Path config;

        @Option(names = "--attach-command", paramLabel = "COMMAND",
                description = "Command that starts the root daemon; gets --server S... --image N --rid R --device D.")
        String attachCommand;

        @Option(names = "--image-attached", description = "The image is already served on SLX_DNBD3_DEVICE.")
        boolean imageAttached;

        @Option(names = "--log", paramLabel = "FILE", description = "Also append the log here (default: ${DEFAULT-VALUE}).")
        Path logFile = Stage4Planner.STAGE3_LOG;

        enum Phase { all, storage, stage4 }

        @Option(names = "--phase", paramLabel = "PHASE", defaultValue = "all",
                description = {"Run only the storage steps (up to /sysroot mounted) or only the stage4 steps, so the"
                        + " dracut module can stop in between for slx.break=stage4 (default: ${DEFAULT-VALUE})."})
        Phase phase;

        @Override
        public Integer call() throws IOException {
            if (phase != Phase.stage4 && imageAttached == (attachCommand != null)) {
                throw new IllegalArgumentException("give exactly one of --attach-command COMMAND and --image-attached");
            }
            Consumer<String> log = stderrLog(Optional.of(logFile));
            String cmdlineText = cmdline.read();
            BootCommandLine parsed = BootCommandLineParser.parse(cmdlineText);
            FetchedConfig fetched;
            if (config != null) {
                fetched = new FetchedConfig(config.toString(), Files.readString(config));
            } else {
                fetched = fetchConfig(parsed, RetryPolicy.BOOT, log);
                Files.writeString(Path.of("/etc/openslx"), fetched.text());
            }
            ProcessCommandRunner runner = new ProcessCommandRunner();
            MachineSource machine = new SysfsMachineProbe(Path.of("/"), runner, BootClock.real());
            // The stage4 phase only needs the storage decision for /etc/fstab: no waiting for disks again.
            Stage3Plan plan = Stage3Planner.plan(cmdlineText, fetched.source(), fetched.text(), machine,
                    phase != Phase.stage4, log);
            plan.warnings().forEach(w -> log.accept("warning: " + w));
            ImageAttacher attacher = imageAttached || attachCommand == null ? ImageAttacher.alreadyAttached()
                    : new CommandImageAttacher(Words.split(attachCommand), runner);
            try (HttpFetcher fetcher = new HttpFetcher(RetryPolicy.BOOT.withTotalBudget(Duration.ofSeconds(60)), log)) {
                List<Step> steps = switch (phase) {
                    case all -> plan.steps();
                    case storage -> plan.storage().steps();
                    case stage4 -> plan.stage4Steps();
                };
                new Executor(Path.of("/"), runner, machine, attacher, fetcher, log, parsed.debug().verbose()).run(steps);
            }
            log.accept(phase == Phase.storage ? "stage3 storage done: /sysroot is mounted" : "stage3 done: /sysroot is ready");
            return 0;
        }
    }
}
