package org.openslx.netboot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code slx} command. Each subcommand lives in its own class next to this one; add new
 * ones to {@code subcommands} below.
 */
@Command(name = "slx",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "slx-netboot: boot diskless Linux clients from qcow2 images over dnbd3.",
        subcommands = {
                CommandLine.HelpCommand.class,
                ImageCommand.class,
                NbdCommand.class,
                ServerCommand.class,
                Dnbd3Command.class,
                Stage3Command.class,
                InitramfsCommand.class,
                DaemonCommand.class,
                DemoCommand.class,
        })
public final class Main implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    void setDebug(boolean debug) {
        Errors.debug = debug;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        StandardOutput.isProcessOutput = true;
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code; tests call this instead of {@link #main}. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Errors::handle);
        addHelpOptionsEverywhere(cli);
        return cli.execute(args);
    }

    /** Every command answers --help and --version, without each class having to say so. */
    private static void addHelpOptionsEverywhere(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (!sub.getCommandSpec().mixinStandardHelpOptions()) {
                sub.getCommandSpec().mixinStandardHelpOptions(true);
            }
            addHelpOptionsEverywhere(sub);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"slx-netboot " + (version == null ? "development build" : version)};
        }
    }
}
