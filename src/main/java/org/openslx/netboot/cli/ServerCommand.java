package org.openslx.netboot.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.openslx.netboot.server.BootServer;
import org.openslx.netboot.server.DataFolder;
import org.openslx.netboot.server.Dnbd3Services;
import org.openslx.netboot.server.FolderInit;
import org.openslx.netboot.server.ServerAddress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slx server}: the boot server, and {@code slx server init} to lay out its folder. */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serve a data folder: dnbd3 images and HTTP (configs, kernels, iPXE scripts, status page)"
                + " on each listening port, told apart by a connection's first bytes."
                + " Stop with Ctrl-C or SIGTERM; edited files apply without a restart.",
        subcommands = ServerCommand.Init.class)
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "The data folder (made by `slx server init`).")
    Path data;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Where to listen; repeatable. HOST:PORT, [IPV6]:PORT, :PORT or PORT. Default: all addresses, port "
                    + BootServer.DEFAULT_PORT + ".")
    List<String> listen = new ArrayList<>();

    @Option(names = "--public-address", paramLabel = "HOST[:PORT]",
            description = "How clients reach this server, for boot.ipxe's URLs and slxsrv=."
                    + " Default: the Host header of each boot.ipxe request.")
    String publicAddress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (data == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--data DIR is required (lay a folder out with: slx server init DIR)");
        }
        OneLineLogs.install();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String text : listen) {
            addresses.add(Dnbd3ServeCommand.parseListen(text));
        }
        if (addresses.isEmpty()) {
            addresses.add(new InetSocketAddress(BootServer.DEFAULT_PORT));
        }
        ServerAddress advertised = publicAddress == null ? null : ServerAddress.parse(publicAddress);
        BootServer server = BootServer.start(new BootServer.Options(data, addresses, advertised), Dnbd3Services::forStore);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            // java.util.logging may already be shut down by its own hook: say it plainly.
            System.err.println("slx server: stopped");
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /** {@code slx server init DIR}. */
    @Command(name = "init", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Lay out a data folder for slx server: the image store and a boot base with a commented"
                    + " config. Creates what is missing; never overwrites a file.")
    static final class Init implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The folder to lay out (created if missing).")
        Path dir;

        @Option(names = "--base", paramLabel = "NAME", defaultValue = DataFolder.DEFAULT_BASE,
                description = "The boot base to create (clients' slxbase=). Default: ${DEFAULT-VALUE}.")
        String base;

        @Option(names = "--public-address", paramLabel = "HOST[:PORT]",
                description = "How clients reach this server, written into the config's SLX_DNBD3_SERVERS."
                        + " Default: this machine's first IPv4 address.")
        String publicAddress;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String servers = publicAddress == null ? null : ServerAddress.parse(publicAddress).toString();
            FolderInit.Result result = FolderInit.run(dir, base, servers);
            DataFolder folder = new DataFolder(dir);
            var out = spec.commandLine().getOut();
            out.println("Laid out " + folder.root() + ":");
            result.created().forEach(entry -> out.println("  created  " + entry));
            result.kept().forEach(entry -> out.println("  kept     " + entry + " (already there)"));
            String baseDir = "boot/" + base;
            out.println();
            out.println("Next:");
            out.println("  1. Put a kernel and an initramfs at " + baseDir + "/kernel and " + baseDir + "/initrd;");
            out.println("     extra kernel arguments (e.g. console=ttyS0) go into " + baseDir + "/cmdline.");
            out.println("  2. Add the stage4 image:  slx image add IMAGE.qcow2 --name stage4.qcow2 --data " + folder.root());
            out.println("  3. Check " + baseDir + "/config: SLX_DNBD3_SERVERS is '" + result.dnbd3Servers()
                    + "', SLX_DNBD3_IMAGE and SLX_DNBD3_RID name the image.");
            out.println("  4. Start the server:      slx server --data " + folder.root());
            ServerAddress address = ServerAddress.parseOrNull(result.dnbd3Servers());
            String http = address == null ? "<server>:" + BootServer.DEFAULT_PORT
                    : address.port() < 0 ? address.host() + ":" + BootServer.DEFAULT_PORT : address.toString();
            out.println("  5. Let DHCP hand iPXE the boot file http://" + http + "/" + base + "/boot.ipxe");
            out.println("     and watch http://" + http + "/ for clients.");
            return 0;
        }
    }
}
