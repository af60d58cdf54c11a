package org.openslx.netboot.dnbd3.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openslx.netboot.net.ConnectionHandler;
import org.openslx.netboot.net.PortListener;
import org.openslx.netboot.net.Protocol;
import org.openslx.netboot.net.http.HttpHandler;
import org.openslx.netboot.net.http.HttpService;

/**
 * A dnbd3 server over one image base folder: what {@code slx dnbd3 serve} runs and what the boot
 * server embeds. It does not listen by itself: put {@link #handler()} on a
 * {@link PortListener} for {@link Protocol#DNBD3} (with your own HTTP handler next to it), or
 * call {@link #listen} for a port that speaks dnbd3 and the status HTTP.
 *
 * <pre>{@code
 * try (Dnbd3Server dnbd3 = Dnbd3Server.start(base, AltServers.none(), Dnbd3Server.Settings.DEFAULT);
 *      PortListener port = PortListener.start(addresses, Map.of(Protocol.DNBD3, dnbd3.handler(), ...))) {
 *     Dnbd3Stats stats = dnbd3.stats();
 * }
 * }</pre>
 */
public final class Dnbd3Server implements Closeable {
    private static final System.Logger LOG = System.getLogger(Dnbd3Server.class.getName());

    /**
     * Time limits.
     *
     * @param clientTimeout how long a started message (or the handshake) may take, and how long a
     *     write may make no progress before the client is dropped (reference: clientTimeout, 15 s)
     * @param idleTimeout how long a connected client may send nothing (reference: about 4 ×
     *     clientTimeout; clients send a keepalive every 10 s)
     * @param platformThreads how many connections get a platform thread of their own (the fast
     *     path); the ones beyond run on virtual threads (see {@code ConnectionThreads})
     */
    public record Settings(Duration clientTimeout, Duration idleTimeout, int platformThreads) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(15), Duration.ofSeconds(60));

        public Settings {
            if (platformThreads < 0) {
                throw new IllegalArgumentException("platformThreads must not be negative: " + platformThreads);
            }
        }

        /** These time limits and the default number of platform threads. */
        public Settings(Duration clientTimeout, Duration idleTimeout) {
            this(clientTimeout, idleTimeout, ConnectionThreads.DEFAULT_PLATFORM_LIMIT);
        }
    }

    private final ImageStore store;
    private final AltServers altServers;
    private final ClientRegistry clients = new ClientRegistry();
    private final WriteWatchdog watchdog;
    private final Dnbd3ConnectionHandler handler;
    private final Instant started = Instant.now();
    private final long runId = new SecureRandom().nextLong() >>> 1;

    private Dnbd3Server(ImageStore store, AltServers altServers, Settings settings) {
        this.store = store;
        this.altServers = altServers;
        this.watchdog = new WriteWatchdog(settings.idleTimeout());
        this.handler = new Dnbd3ConnectionHandler(store, altServers, clients, watchdog,
                settings.clientTimeout(), settings.idleTimeout(), settings.platformThreads());
    }

    /** Opens the base folder and loads the images found in it (more are found on demand later). */
    public static Dnbd3Server start(Path base, AltServers altServers, Settings settings) throws IOException {
        ImageStore store = ImageStore.open(base);
        try {
            store.scan();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "scanning " + base + " for images failed: " + e.getMessage()
                    + "; images will still be found when clients ask for them");
        }
        return new Dnbd3Server(store, altServers, settings);
    }

    /** Serves dnbd3 connections; one instance for all of them. */
    public ConnectionHandler handler() {
        return handler;
    }

    /**
     * The status pages {@code /query?q=...} and {@code /status} (JSON).
     *
     * @param allowRemote false: only loopback peers, others get 403
     */
    public HttpHandler statusHandler(boolean allowRemote) {
        return new StatusHttpHandler(this, allowRemote);
    }

    /** Listens on these addresses for dnbd3 and for the status over HTTP on the same port. */
    public PortListener listen(List<InetSocketAddress> addresses, boolean statusForRemote) throws IOException {
        return PortListener.start(addresses, Map.of(
                Protocol.DNBD3, handler,
                Protocol.HTTP, new HttpService(statusHandler(statusForRemote))));
    }

    /** The images. */
    public ImageStore images() {
        return store;
    }

    public AltServers altServers() {
        return altServers;
    }

    /** A snapshot of clients, images and counters. */
    public Dnbd3Stats stats() {
        List<Dnbd3Stats.ImageInfo> images = store.images().stream()
                .map(i -> new Dnbd3Stats.ImageInfo(i.name(), i.rid(), i.virtualSize(), i.users(), i.crcList().isPresent()))
                .toList();
        return new Dnbd3Stats(started, Duration.between(started, Instant.now()), clients.bytesSent(),
                clients.snapshot(), images);
    }

    /** The status JSON with these sections (see {@link StatusJson#SECTIONS}). */
    public String statusJson(Set<String> sections) {
        return StatusJson.render(stats(), sections.contains("altservers") ? altServers.all() : List.of(), runId, sections);
    }

    /** Stops the watchdog and closes the image files (once their clients are gone). */
    @Override
    public void close() {
        watchdog.close();
        store.close();
    }
}
