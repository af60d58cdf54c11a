package org.openslx.netboot.dnbd3.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's first connection, before anything is pinned: all servers of the URL are asked at
 * once for the image (rid 0 = their latest), and the first to answer wins, as dnbd3-fuse does.
 * If every server refuses the image, that is final; if some do not answer, it tries again (with
 * growing pauses, up to 5 s) until one does or the give-up time is over.
 */
final class FirstConnection {
    private static final Logger LOG = System.getLogger("org.openslx.netboot.dnbd3.client");
    private static final Duration LOUD_LOG_INTERVAL = Duration.ofSeconds(30);

    private FirstConnection() {
    }

    /**
     * @throws IOException if every server refuses the image, or none answers within the
     *     give-up time of {@code options} (without one, it keeps trying)
     */
    static Connection open(Dnbd3Url url, ServerList servers, Dnbd3ClientOptions options) throws IOException {
        long start = System.nanoTime();
        Backoff pause = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5));
        long nextLoudLog = start;
        Backoff patience = Backoff.connectPatience(options.connectTimeout());
        while (true) {
            Duration timeout = patience.current();
            List<String> failures = new ArrayList<>();
            List<String> refusals = new ArrayList<>();
            Connection first = ServerRace.first(servers.all(), null, Duration.ZERO, server -> {
                try {
                    return Connection.open(server.address(), url.imageName(), url.rid(), timeout);
                } catch (ImageRefusedException e) {
                    synchronized (refusals) {
                        refusals.add(server.address() + ": " + e.getMessage());
                    }
                    throw e;
                }
            }, failures);
            if (first != null) {
                return first;
            }
            String what = "'" + url.imageName() + "'" + (url.rid() == 0 ? "" : " revision " + url.rid());
            if (refusals.size() == servers.size()) {
                throw new IOException("no dnbd3 server offers " + what + " (" + String.join("; ", failures) + ")");
            }
            long now = System.nanoTime();
            Duration waited = Duration.ofNanos(now - start);
            Duration giveUp = options.giveUpAfter();
            if (giveUp != null && waited.compareTo(giveUp) >= 0) {
                throw new IOException("no dnbd3 server answered for " + what + " within "
                        + Connection.seconds(waited) + " (" + String.join("; ", failures) + ")");
            }
            if (now - nextLoudLog >= 0) {
                LOG.log(Level.ERROR, "{0}: no dnbd3 server answers yet ({1}); still trying", url, String.join("; ", failures));
                nextLoudLog = now + LOUD_LOG_INTERVAL.toNanos();
            }
            patience.roundFailed();
            try {
                Thread.sleep(pause.current());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(url + ": interrupted while connecting");
            }
            pause.roundFailed();
        }
    }

}
