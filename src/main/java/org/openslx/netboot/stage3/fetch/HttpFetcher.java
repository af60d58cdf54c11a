package org.openslx.netboot.stage3.fetch;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Fetches one file from a list of equivalent URLs (one per boot server) with java.net.http. Each
 * attempt is logged in words. A server that refuses, times out, answers 5xx or cuts the body short is
 * tried again in the next round; when every server answers 404 the file does not exist and the
 * result is {@link FetchResult.Absent} at once. When the budget is spent, the error lists each
 * server's last failure.
 */
public final class HttpFetcher implements AutoCloseable {
    private final RetryPolicy policy;
    private final Consumer<String> log;
    private final HttpClient client;

    public HttpFetcher(RetryPolicy policy, Consumer<String> log) {
        this.policy = policy;
        this.log = log;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(policy.perTry())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
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
                    HttpResponse<byte[]> response = send(url, timeout);
                    int status = response.statusCode();
                    if (status == 200) {
                        log.accept(what + ": fetched " + response.body().length + " bytes from " + url
                                + " (attempt " + attempt + ")");
                        return new FetchResult.Fetched(url, response.body(), attempt);
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

    private HttpResponse<byte[]> send(URI url, Duration timeout) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET()
                .header("User-Agent", "slx-netboot-stage3").build();
        CompletableFuture<HttpResponse<byte[]>> future =
                client.sendAsync(request, info -> new LimitedBodySubscriber(policy.maxBytes()));
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IOException("no complete answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause == null ? e.toString() : cause.toString(), cause);
        }
    }

    private static String describe(IOException e, Duration timeout) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && chain.size() < 8; t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof HttpConnectTimeoutException) {
                return "no connection within " + timeout.toMillis() + " ms";
            }
            if (t instanceof ConnectException) {
                return "connection refused or unreachable";
            }
            if (t instanceof UnresolvedAddressException) {
                return "host name not resolvable";
            }
            if (t instanceof java.net.http.HttpTimeoutException) {
                return "no answer within " + timeout.toMillis() + " ms";
            }
        }
        String message = e.getMessage();
        if (message != null && (message.contains("content-length") || message.contains("EOF"))) {
            return "the answer was cut short (" + message + ")";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        client.close();
    }
}
