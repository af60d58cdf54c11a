package org.openslx.netboot.server;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.openslx.netboot.net.ConnectionHandler;
import org.openslx.netboot.net.PortListener;
import org.openslx.netboot.net.Protocol;
import org.openslx.netboot.net.http.HttpHandler;
import org.openslx.netboot.net.http.HttpRequest;
import org.openslx.netboot.net.http.HttpResponse;
import org.openslx.netboot.net.http.HttpService;
import org.openslx.netboot.net.http.RequestLog;

/**
 * {@code slx server}: one process serving a {@link DataFolder} on each listening port, dnbd3 and
 * HTTP told apart by a connection's first byte. HTTP carries the boot files of every base
 * ({@link BootRoutes}), the status page ({@link StatusRoutes}) and the reference dnbd3 server's
 * {@code /query} status; every request is logged in one line. Used by the CLI, the boot tests and the demo.
 */
public final class BootServer implements Closeable {
    public static final int DEFAULT_PORT = 5003;
    private static final System.Logger LOG = System.getLogger(BootServer.class.getName());
    private static final System.Logger HTTP_LOG = System.getLogger("http");

    /**
     * @param data the data folder
     * @param listen where to listen (port 0 picks a free port)
     * @param publicAddress how clients reach this server, or null to use each request's Host header
     */
    public record Options(Path data, List<InetSocketAddress> listen, ServerAddress publicAddress) {
    }

    private final Dnbd3Service dnbd3;
    private final Throughput dnbd3Rate;
    private final Throughput httpRate;
    private final PortListener listener;

    private BootServer(Dnbd3Service dnbd3, Throughput dnbd3Rate, Throughput httpRate, PortListener listener) {
        this.dnbd3 = dnbd3;
        this.dnbd3Rate = dnbd3Rate;
        this.httpRate = httpRate;
        this.listener = listener;
    }

    /**
     * Starts serving.
     *
     * @param dnbd3Factory makes the dnbd3 part for the folder: {@link Dnbd3Services#forStore}, or
     *     {@code f -> Dnbd3Service.none()} for HTTP only
     */
    public static BootServer start(Options options, Dnbd3Service.Factory dnbd3Factory) throws IOException {
        DataFolder folder = new DataFolder(options.data());
        if (!Files.isDirectory(folder.root())) {
            throw new IOException(folder.root() + " is not a folder; lay one out with: slx server init " + folder.root());
        }
        if (!Files.isDirectory(folder.images()) || !Files.isDirectory(folder.boot())) {
            LOG.log(Level.WARNING, folder.root() + " lacks images/ or boot/; `slx server init` creates them");
        }
        Dnbd3Service dnbd3 = dnbd3Factory.create(folder);
        AtomicLong httpBytes = new AtomicLong();
        Throughput dnbd3Rate = new Throughput(dnbd3::bytesSent);
        Throughput httpRate = new Throughput(httpBytes::get);
        ConfigFetches fetches = new ConfigFetches();
        PortListener[] listener = new PortListener[1];
        StatusReport report = new StatusReport(folder, dnbd3, fetches, dnbd3Rate, httpRate, httpBytes::get,
                () -> listener[0] == null ? List.of() : listener[0].boundAddresses());
        Router router = new Router(new BootRoutes(folder, options.publicAddress(), fetches), new StatusRoutes(report),
                dnbd3.referenceStatus());
        RequestLog log = (request, status, bytes, nanos) -> {
            httpBytes.addAndGet(bytes);
            HTTP_LOG.log(Level.INFO, RequestLog.line(request, status, bytes, nanos));
        };
        Map<Protocol, ConnectionHandler> handlers = new EnumMap<>(Protocol.class);
        handlers.put(Protocol.HTTP, new HttpService(router::route, log));
        if (dnbd3.connections() != null) {
            handlers.put(Protocol.DNBD3, dnbd3.connections());
        }
        try {
            listener[0] = PortListener.start(options.listen(), handlers);
        } catch (IOException | RuntimeException e) {
            dnbd3Rate.close();
            httpRate.close();
            dnbd3.close();
            throw e;
        }
        BootServer server = new BootServer(dnbd3, dnbd3Rate, httpRate, listener[0]);
        LOG.log(Level.INFO, "serving " + folder.root() + " on " + server.boundAddresses().stream()
                .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList()
                + (dnbd3.connections() != null ? " (dnbd3 and HTTP)" : " (HTTP only)"));
        return server;
    }

    /** The addresses actually bound (port 0 resolved). */
    public List<InetSocketAddress> boundAddresses() {
        return listener.boundAddresses();
    }

    /** Stops listening, closes all connections, stops dnbd3. */
    @Override
    public void close() {
        listener.close();
        dnbd3.close();
        dnbd3Rate.close();
        httpRate.close();
        LOG.log(Level.INFO, "stopped");
    }

    /** Status pages first, then the boot files; names with traversal tricks never reach the file system. */
    private record Router(BootRoutes boot, StatusRoutes status, HttpHandler dnbd3Status) {
        HttpResponse route(HttpRequest request) throws IOException {
            HttpResponse page = status.handle(request.path());
            if (page != null) {
                return page;
            }
            if (request.path().equals("/query") && dnbd3Status != null) {
                return dnbd3Status.handle(request);
            }
            String relative = request.path().substring(1);
            String problem = ContainedFiles.problemWith(relative);
            if (problem != null) {
                LOG.log(Level.WARNING, () -> "refused " + request.method() + " " + request.rawPath() + " from "
                        + BootRoutes.address(request) + ": " + problem);
                return HttpResponse.text(400, "refused path: " + problem + "\n");
            }
            return boot.handle(request, relative);
        }
    }
}
