package org.openslx.netboot.stage3.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Fetches one file from a list of equivalent URLs (one per boot server) over plain HTTP. Each
 * attempt is logged in words. A server that refuses, times out, answers 5xx or cuts the body short is
 * tried again in the next round; when every server answers 404 the file does not exist and the
 * result is {@link FetchResult.Absent} at once. When the budget is spent, the error lists each
 * server's last failure.
 */
public final class HttpFetcher implements AutoCloseable {
    private final RetryPolicy policy;
    private final Consumer<String> log;

    public HttpFetcher(RetryPolicy policy, Consumer<String> log) {
        this.policy = policy;
        this.log = log;
    }

    /**
     * @param what a name for the logs ("config", "config.tgz")
     * @throws IOException when no server delivered within the budget
     */
    public FetchResult fetch(String what, List<URI> urls) throws IOException {
        if (urls.isEmpty()) {
            throw new IOException("no server to fetch the " + what + " from");
        }
        long start = System.nanoTime();
        long deadline = start + policy.totalBudget().toNanos();
        Duration pause = policy.firstPause();
        Map<URI, String> lastFailure = new LinkedHashMap<>();
        int attempt = 0;
        while (true) {
            int notFound = 0;
            for (URI url : urls) {
                long left = deadline - System.nanoTime();
                if (left <= 0 && attempt > 0) {
                    break;
                }
                attempt++;
                Duration timeout = Duration.ofNanos(Math.max(Math.min(policy.perTry().toNanos(), left),
                        Duration.ofMillis(100).toNanos()));
                try {
                    Answer answer = send(url, timeout);
                    int status = answer.status();
                    if (status == 200) {
                        log.accept(what + ": fetched " + answer.body().length + " bytes from " + url
                                + " (attempt " + attempt + ")");
                        return new FetchResult.Fetched(url, answer.body(), attempt);
                    }
                    if (status == 404 || status == 410) {
                        notFound++;
                        lastFailure.put(url, "HTTP " + status + " (not found)");
                        log.accept(what + ": attempt " + attempt + ", " + url + ": not found (HTTP " + status + ")");
                    } else {
                        lastFailure.put(url, "HTTP " + status);
                        log.accept(what + ": attempt " + attempt + ", " + url + ": server answered HTTP " + status);
                    }
                } catch (IOException e) {
                    String reason = describe(e, timeout);
                    lastFailure.put(url, reason);
                    log.accept(what + ": attempt " + attempt + ", " + url + ": " + reason);
                }
            }
            if (notFound == urls.size()) {
                log.accept(what + ": every server answered that it does not exist");
                return new FetchResult.Absent(urls);
            }
            long left = deadline - System.nanoTime();
            if (left <= pause.toNanos()) {
                break;
            }
            log.accept(what + ": no server delivered; trying again in " + pause.toMillis() + " ms");
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting to fetch the " + what + " again");
            }
            pause = pause.multipliedBy(2).compareTo(policy.maxPause()) > 0 ? policy.maxPause() : pause.multipliedBy(2);
        }
        String seconds = String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9);
        throw new IOException("could not fetch the " + what + " in " + seconds + " s (" + attempt + " attempts): "
                + lastFailure.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("; ")));
    }

    /** One answer: the status and, for 200, the body. */
    private record Answer(int status, byte[] body) {
    }

    /**
     * One GET with {@link HttpURLConnection}: for plain http it loads a few hundred classes where
     * the first java.net.http client loads about 2,000 and sets up TLS, which cost seconds in an
     * emulated client at every boot. The whole exchange gets {@code timeout}: connect and read
     * timeouts, and a watchdog that closes the connection when a trickling body overruns it.
     */
    private Answer send(URI url, Duration timeout) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection(Proxy.NO_PROXY);
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        connection.setConnectTimeout(millis);
        connection.setReadTimeout(millis);
        connection.setUseCaches(false);
        connection.setRequestProperty("User-Agent", "slx-netboot-stage3");
        // One file per connection: no idle connection to reuse, and no silent retry on a stale one.
        connection.setRequestProperty("Connection", "close");
        AtomicBoolean overran = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout);
                overran.set(true);
                connection.disconnect();
            } catch (InterruptedException e) {
                // the exchange ended in time
            }
        });
        try {
            int status = connection.getResponseCode();
            if (status != 200) {
                drain(connection.getErrorStream());
                return new Answer(status, new byte[0]);
            }
            return new Answer(status, readBody(connection));
        } catch (IOException e) {
            if (overran.get()) {
                throw new IOException("no complete answer within " + timeout.toMillis() + " ms", e);
            }
            throw e;
        } finally {
            watchdog.interrupt();
            connection.disconnect();
        }
    }

    private byte[] readBody(HttpURLConnection connection) throws IOException {
        long declared = connection.getContentLengthLong();
        if (declared > policy.maxBytes()) {
            throw new IOException("the file is larger than the limit of " + policy.maxBytes() + " bytes");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
        byte[] chunk = new byte[16384];
        try (InputStream in = connection.getInputStream()) {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                if (body.size() + (long) n > policy.maxBytes()) {
                    throw new IOException("the file is larger than the limit of " + policy.maxBytes() + " bytes");
                }
                body.write(chunk, 0, n);
            }
        }
        if (declared >= 0 && body.size() != declared) {
            throw new IOException("the answer was cut short (" + body.size() + " of " + declared + " bytes)");
        }
        return body.toByteArray();
    }

    private static void drain(InputStream errorBody) {
        if (errorBody == null) {
            return;
        }
        try (errorBody) {
            errorBody.readNBytes(64 << 10);
        } catch (IOException e) {
            // only the status counts
        }
    }

    private static String describe(IOException e, Duration timeout) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && chain.size() < 8; t = t.getCause()) {
            chain.add(t);
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.startsWith("no complete answer within") || message.startsWith("the file is larger")
                || message.startsWith("the answer was cut short")) {
            return message;
        }
        for (Throwable t : chain) {
            if (t instanceof SocketTimeoutException timedOut) {
                return (String.valueOf(timedOut.getMessage()).contains("onnect") ? "no connection within "
                        : "no answer within ") + timeout.toMillis() + " ms";
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return "connection refused or unreachable";
            }
            if (t instanceof UnknownHostException) {
                return "host name not resolvable";
            }
        }
        if (message.contains("Premature EOF") || message.contains("EOF")) {
            return "the answer was cut short (" + message + ")";
        }
        return message.isEmpty() ? e.getClass().getSimpleName() : message;
    }

    /** Nothing to release: each fetch opens and closes its own connection. */
    @Override
    public void close() {
    }
}
