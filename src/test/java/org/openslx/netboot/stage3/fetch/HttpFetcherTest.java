package org.openslx.netboot.stage3.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.stage3.cmdline.ServerAddress;

/**
 * Fetching against real local HTTP servers (the JDK's com.sun.net.httpserver as the peer) with
 * failures injected: refused, 500, 404, slow, truncated, one of two servers down.
 */
class HttpFetcherTest {
    private static final byte[] CONFIG = "SLX_DNBD3_SERVERS='10.0.0.1'\n".getBytes(StandardCharsets.UTF_8);
    private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(700), Duration.ofSeconds(4),
            Duration.ofMillis(50), Duration.ofMillis(200), 1 << 20);

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    interface Handler {
        void handle(HttpExchange exchange, int requestNumber) throws IOException;
    }

    private ServerAddress serve(Handler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/", exchange -> {
            try (exchange) {
                handler.handle(exchange, requests.incrementAndGet());
            } catch (IOException | RuntimeException e) {
                // the client went away: expected for the slow cases
            }
        });
        server.start();
        servers.add(server);
        return ServerAddress.parse("127.0.0.1:" + server.getAddress().getPort());
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static ServerAddress refusingServer() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return ServerAddress.parse("127.0.0.1:" + socket.getLocalPort());
        }
    }

    private FetchResult fetch(RetryPolicy policy, ServerAddress... addresses) throws IOException {
        try (HttpFetcher fetcher = new HttpFetcher(policy, log::add)) {
            return fetcher.fetch("config", BootServerUrls.of(List.of(addresses), "boot/default", "config",
                    Optional.of("4c4c4544-0042-3510-8051-b2c04f4e3332")));
        }
    }

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void fetchesFromTheFirstServerWithTheUuidInTheQuery() throws IOException {
        List<URI> seen = new CopyOnWriteArrayList<>();
        ServerAddress server = serve((exchange, n) -> {
            seen.add(exchange.getRequestURI());
            reply(exchange, 200, CONFIG);
        });
        FetchResult result = fetch(FAST, server);
        assertThat(result).isInstanceOfSatisfying(FetchResult.Fetched.class, f -> {
            assertThat(f.body()).isEqualTo(CONFIG);
            assertThat(f.attempts()).isEqualTo(1);
        });
        assertThat(seen).containsExactly(URI.create("/boot/default/config?uuid=4c4c4544-0042-3510-8051-b2c04f4e3332"));
        assertThat(log).anyMatch(l -> l.contains("fetched " + CONFIG.length + " bytes"));
    }

    @Test
    void oneOfTwoServersDownTheOtherDelivers() throws IOException {
        ServerAddress down = refusingServer();
        ServerAddress up = serve((exchange, n) -> reply(exchange, 200, CONFIG));
        FetchResult result = fetch(FAST, down, up);
        assertThat(result).isInstanceOf(FetchResult.Fetched.class);
        assertThat(((FetchResult.Fetched) result).from().getPort()).isEqualTo(up.port().getAsInt());
        assertThat(log).anyMatch(l -> l.contains("attempt 1") && l.contains("connection refused"));
    }

    @Test
    void serverErrorsAreRetriedUntilTheServerRecovers() throws IOException {
        ServerAddress flaky = serve((exchange, n) -> {
            if (n <= 2) {
                reply(exchange, 500, "broken".getBytes(StandardCharsets.UTF_8));
            } else {
                reply(exchange, 200, CONFIG);
            }
        });
        FetchResult result = fetch(FAST, flaky);
        assertThat(((FetchResult.Fetched) result).attempts()).isEqualTo(3);
        assertThat(log).filteredOn(l -> l.contains("HTTP 500")).hasSize(2);
        assertThat(log).anyMatch(l -> l.contains("trying again in 50 ms"));
        assertThat(log).anyMatch(l -> l.contains("trying again in 100 ms"));
    }

    @Test
    void notFoundOnEveryServerIsAbsentWithoutWaitingForTheBudget() throws IOException {
        ServerAddress a = serve((exchange, n) -> reply(exchange, 404, new byte[0]));
        ServerAddress b = serve((exchange, n) -> reply(exchange, 404, new byte[0]));
        FetchResult result = fetch(FAST.withTotalBudget(Duration.ofMinutes(5)), a, b);
        assertThat(result).isInstanceOfSatisfying(FetchResult.Absent.class, r -> assertThat(r.asked()).hasSize(2));
        assertThat(log).filteredOn(l -> l.contains("not found (HTTP 404)")).hasSize(2);
    }

    @Test
    void notFoundOnOneServerMakesTheNextOneAsked() throws IOException {
        ServerAddress missing = serve((exchange, n) -> reply(exchange, 404, new byte[0]));
        ServerAddress having = serve((exchange, n) -> reply(exchange, 200, CONFIG));
        assertThat(fetch(FAST, missing, having)).isInstanceOf(FetchResult.Fetched.class);
    }

    @Test
    void aServerThatNeverAnswersIsAbandonedAfterThePerTryTimeout() throws IOException {
        ServerAddress slow = serve((exchange, n) -> sleep(3000));
        ServerAddress fast = serve((exchange, n) -> reply(exchange, 200, CONFIG));
        FetchResult result = fetch(FAST, slow, fast);
        assertThat(result).isInstanceOf(FetchResult.Fetched.class);
        assertThat(log).anyMatch(l -> l.contains("attempt 1") && l.contains("within 700 ms"));
    }

    @Test
    void aBodyThatStallsHalfwayIsAbandonedToo() throws IOException {
        ServerAddress stalling = serve((exchange, n) -> {
            exchange.sendResponseHeaders(200, CONFIG.length);
            OutputStream out = exchange.getResponseBody();
            out.write(CONFIG, 0, 5);
            out.flush();
            sleep(3000);
        });
        ServerAddress fast = serve((exchange, n) -> reply(exchange, 200, CONFIG));
        FetchResult result = fetch(FAST, stalling, fast);
        assertThat(((FetchResult.Fetched) result).from().getPort()).isEqualTo(fast.port().getAsInt());
        assertThat(log).anyMatch(l -> l.contains("attempt 1") && l.contains("within 700 ms"));
    }

    @Test
    void aTruncatedAnswerIsNeverTakenAsTheConfig() throws IOException {
        ServerAddress truncating = serve((exchange, n) -> {
            if (n == 1) {
                exchange.sendResponseHeaders(200, CONFIG.length);
                exchange.getResponseBody().write(CONFIG, 0, 10);
                exchange.getResponseBody().flush();
                // Leaving the handler with an exception closes the connection 10 bytes short of Content-Length.
                throw new IOException("cut");
            }
            reply(exchange, 200, CONFIG);
        });
        FetchResult result = fetch(FAST, truncating);
        assertThat(result).isInstanceOfSatisfying(FetchResult.Fetched.class, f -> {
            assertThat(f.body()).isEqualTo(CONFIG);
            assertThat(f.attempts()).isEqualTo(2);
        });
        assertThat(log.getFirst()).contains("attempt 1").contains("cut short");
    }

    @Test
    void whenTheBudgetIsSpentTheErrorNamesEveryServersLastFailure() throws IOException {
        ServerAddress down = refusingServer();
        ServerAddress failing = serve((exchange, n) -> reply(exchange, 503, new byte[0]));
        RetryPolicy shortBudget = FAST.withTotalBudget(Duration.ofSeconds(2));
        assertThatThrownBy(() -> fetch(shortBudget, down, failing))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("could not fetch the config")
                .hasMessageContaining(down.authority() + "/boot/default/config?uuid=")
                .hasMessageContaining("connection refused")
                .hasMessageContaining("HTTP 503");
    }

    @Test
    void anOversizedAnswerIsRefused() throws IOException {
        ServerAddress huge = serve((exchange, n) -> reply(exchange, 200, new byte[4 << 20]));
        RetryPolicy small = FAST.withTotalBudget(Duration.ofMillis(300));
        assertThatThrownBy(() -> fetch(small, huge)).hasMessageContaining("larger than the limit of 1048576 bytes");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
