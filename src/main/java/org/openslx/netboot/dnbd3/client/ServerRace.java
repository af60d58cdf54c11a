package org.openslx.netboot.dnbd3.client;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks several servers at once (one virtual thread each): either the first to answer wins, as
 * the reference clients do on start-up and in a panic, or everyone is heard (a probe round).
 * Every attempt has its own timeouts, so a race always ends.
 */
final class ServerRace {

    /** Connects to one server; throws if it cannot serve. */
    interface Attempt {
        Connection connect(ServerState server) throws IOException;
    }

    private record Failure(ServerState server, IOException cause) {
    }

    private ServerRace() {
    }

    /**
     * The first connection any server offers, or null if all failed (their reasons are added to
     * {@code failures} as "host:port: reason"). Late winners are closed.
     *
     * @param delayed a server to ask only after {@code delay} (the one just lost), if there are
     *     others to ask; or null
     */
    static Connection first(List<ServerState> servers, ServerState delayed, Duration delay, Attempt attempt,
            List<String> failures) {
        LinkedBlockingQueue<Object> results = new LinkedBlockingQueue<>();
        AtomicBoolean taken = new AtomicBoolean();
        for (ServerState server : servers) {
            Thread.ofVirtual().name("dnbd3-connect " + server).start(() -> {
                try {
                    if (server == delayed && !delay.isZero() && servers.size() > 1) {
                        Thread.sleep(delay);
                        if (taken.get()) {
                            results.add(new Failure(server, new IOException("not needed")));
                            return;
                        }
                    }
                    Connection connection = attempt.connect(server);
                    if (taken.compareAndSet(false, true)) {
                        results.add(connection);
                    } else {
                        connection.close();
                        results.add(new Failure(server, new IOException("answered later than another server")));
                    }
                } catch (IOException e) {
                    results.add(new Failure(server, e));
                } catch (InterruptedException e) {
                    results.add(new Failure(server, new IOException("interrupted")));
                } catch (RuntimeException e) {
                    results.add(new Failure(server, new IOException(e.toString(), e)));
                }
            });
        }
        for (int i = 0; i < servers.size(); i++) {
            Object result = takeUninterruptibly(results);
            if (result instanceof Connection connection) {
                return connection;
            }
            Failure failure = (Failure) result;
            failures.add(failure.server().address() + ": " + failure.cause().getMessage());
        }
        return null;
    }

    /** Every server's connection, for those that answered; waits for all. */
    static Map<ServerState, Connection> all(List<ServerState> servers, Attempt attempt) {
        Map<ServerState, Connection> answered = new HashMap<>();
        LinkedBlockingQueue<Object> results = new LinkedBlockingQueue<>();
        for (ServerState server : servers) {
            Thread.ofVirtual().name("dnbd3-probe " + server).start(() -> {
                try {
                    results.add(Map.entry(server, attempt.connect(server)));
                } catch (IOException | RuntimeException e) {
                    results.add(server);
                }
            });
        }
        for (int i = 0; i < servers.size(); i++) {
            if (takeUninterruptibly(results) instanceof Map.Entry<?, ?> entry) {
                answered.put((ServerState) entry.getKey(), (Connection) entry.getValue());
            }
        }
        return answered;
    }

    private static Object takeUninterruptibly(LinkedBlockingQueue<Object> queue) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return queue.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
