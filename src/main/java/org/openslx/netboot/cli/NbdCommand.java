package org.openslx.netboot.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.nbd.Export;
import org.openslx.netboot.nbd.NbdServer;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slx nbd ...}: the NBD export. */
@Command(name = "nbd",
        description = "Export block sources over NBD.",
        subcommands = {NbdCommand.Serve.class})
final class NbdCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(name = "serve",
            description = {
                    "Serve SOURCE read-only over NBD until interrupted (SIGINT/SIGTERM).",
                    "Any export name is accepted; nbd+unix:///?socket=PATH or nbd://HOST:PORT reach it."})
    static final class Serve implements Callable<Integer> {
        private static final System.Logger LOG = System.getLogger("org.openslx.netboot.nbd");

        @Parameters(paramLabel = "SOURCE", description = "Image file (qcow2 or raw).")
        String source;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Endpoint endpoint;

        static final class Endpoint {
            @Option(names = "--unix", paramLabel = "PATH", description = "Listen on a unix socket at PATH.")
            Path unix;

            @Option(names = "--listen", paramLabel = "HOST:PORT",
                    description = "Listen on TCP; HOST may be left out (\":10809\") for loopback only.")
            String listen;
        }

        @Option(names = "--partition", paramLabel = "NAME",
                description = "Serve only the partition with this GPT name or filesystem label.")
        String partition;

        @Option(names = "--export-name", paramLabel = "NAME", defaultValue = "",
                description = "Name shown by NBD_OPT_LIST (default: empty, the default export).")
        String exportName;

        @Override
        public Integer call() throws IOException, InterruptedException {
            logOneLinePerEvent();
            InetSocketAddress tcp = endpoint.listen == null ? null : parseListen(endpoint.listen);
            try (BlockSource blocks = Sources.open(source, partition)) {
                NbdServer server = new NbdServer(new Export(exportName, blocks));
                try {
                    if (endpoint.unix != null) {
                        server.listenUnix(endpoint.unix);
                    } else {
                        server.listenTcp(tcp);
                    }
                } catch (IOException | RuntimeException e) {
                    server.close();
                    throw e;
                }
                Thread hook = new Thread(() -> {
                    // The logging system shuts down in its own hook, so this line goes straight out.
                    System.err.println("slx nbd: stopping: finishing requests in flight, closing connections");
                    server.close();
                }, "slx nbd shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                LOG.log(System.Logger.Level.INFO, "serving {0} ({1} bytes) on {2}", blocks.describe(),
                        Long.toString(blocks.size()), String.join(", ", server.endpoints()));
                server.awaitClosed();
            }
            return 0;
        }

        /**
         * The server logs through System.Logger (java.util.logging underneath); print each
         * event as one plain line on stderr instead of the default two-line format.
         */
        private static void logOneLinePerEvent() {
            Logger root = Logger.getLogger("");
            for (Handler handler : root.getHandlers()) {
                root.removeHandler(handler);
            }
            ConsoleHandler handler = new ConsoleHandler();
            handler.setFormatter(new Formatter() {
                @Override
                public String format(LogRecord record) {
                    String level = record.getLevel().intValue() >= Level.WARNING.intValue()
                            ? record.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": "
                            : "";
                    return "slx nbd: " + level + formatMessage(record) + System.lineSeparator();
                }
            });
            root.addHandler(handler);
        }

        /** {@code HOST:PORT}, {@code [v6]:PORT}, or {@code :PORT} for loopback. */
        static InetSocketAddress parseListen(String value) {
            int colon = value.lastIndexOf(':');
            String usage = "--listen expects HOST:PORT, e.g. 127.0.0.1:10809 or :10809 for loopback; got '"
                    + value + "'";
            if (colon < 0) {
                throw new IllegalArgumentException(usage);
            }
            String host = value.substring(0, colon);
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(usage);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--listen: port " + port + " is not between 0 and 65535");
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                InetAddress address = host.isEmpty() ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
                return new InetSocketAddress(address, port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--listen: unknown host '" + host + "'");
            }
        }
    }
}
