package org.openslx.netboot.cli;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;
import org.openslx.netboot.dnbd3.server.AltServers;
import org.openslx.netboot.dnbd3.server.Dnbd3Server;
import org.openslx.netboot.net.PortListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slx dnbd3 serve}: a dnbd3 server for the images under a folder, status JSON on the same port. */
@Command(name = "serve",
        description = {
                "Serve the images under a folder over dnbd3, as the reference dnbd3-server does:",
                "BASE/dir/name.rRID is image dir/name revision RID; RID 0 asks for the latest.",
                "The same port answers HTTP GET /query?q=stats&q=images&q=clients and /status (JSON).",
                "Stops cleanly on SIGTERM or Ctrl-C."})
final class Dnbd3ServeCommand implements Callable<Integer> {

    @Option(names = "--base", required = true, paramLabel = "DIR", description = "Folder holding the images.")
    Path base;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Address to listen on; repeatable. HOST may be [IPv6]; ':PORT' or 'PORT' alone"
                    + " means all addresses. Default: all addresses, port 5003.")
    List<String> listen = new ArrayList<>();

    @Option(names = "--alt-servers", paramLabel = "FILE",
            description = "Alt-servers file in the reference's format, told to clients by GET_SERVERS;"
                    + " re-read when it changes.")
    Path altServersFile;

    @Option(names = "--status-from", paramLabel = "WHO", defaultValue = "loopback",
            description = "Who may read the status JSON: loopback (default) or any.")
    String statusFrom;

    @Override
    public Integer call() throws Exception {
        boolean statusForAll = switch (statusFrom) {
            case "loopback" -> false;
            case "any" -> true;
            default -> throw new IllegalArgumentException("--status-from must be 'loopback' or 'any', not '" + statusFrom + "'");
        };
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String text : listen) {
            addresses.add(parseListen(text));
        }
        if (addresses.isEmpty()) {
            addresses.add(new InetSocketAddress(Dnbd3Protocol.DEFAULT_PORT));
        }
        if (!Files.isDirectory(base)) {
            throw new NoSuchFileException(base.toString(), null, "the --base folder does not exist or is no folder");
        }
        AltServers altServers = altServersFile == null ? AltServers.none() : AltServers.fromFile(altServersFile);
        Dnbd3Server server = Dnbd3Server.start(base, altServers, Dnbd3Server.Settings.DEFAULT);
        PortListener listener;
        try {
            listener = server.listen(addresses, statusForAll);
        } catch (Exception e) {
            server.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int clients = server.stats().clients().size();
            System.err.println("dnbd3: shutting down, closing " + clients + " client connection(s)");
            listener.close();
            server.close();
            stopped.countDown();
        }, "dnbd3-shutdown"));
        System.err.println("dnbd3: serving " + server.images().images().size() + " image(s) from "
                + server.images().base() + " on " + listener.boundAddresses()
                + (statusForAll ? "; status open to all" : "; status for loopback only"));
        stopped.await();
        return 0;
    }

    /** HOST:PORT, [V6]:PORT, :PORT or PORT. */
    static InetSocketAddress parseListen(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        String host = colon < 0 ? "" : t.substring(0, colon);
        String portText = colon < 0 ? t : t.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("--listen " + text + ": write IPv6 addresses in brackets, e.g. [::1]:5003");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen " + text + ": '" + portText + "' is no port number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen " + text + ": port " + port + " is out of range");
        }
        return host.isEmpty() || host.equals("*") ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
