package org.openslx.netboot.dnbd3.client;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * One round of RTT probes: the candidates are dialled at once, their RTT histories updated, the
 * best-count of each server adjusted, and the {@link SwitchPolicy} asked whether the fastest
 * server is clearly better than the current one. Connections not taken are closed.
 */
final class ProbeRound {

    /** A faster server's probe connection, to become the current one, and why. */
    record Switch(Connection connection, String reason) {
    }

    private ProbeRound() {
    }

    /** Probes and returns the switch to make, or null to stay. */
    static Switch run(ServerList servers, Dialer dialer, ServerAddress current, boolean startup) {
        Map<ServerState, Connection> answered = ServerRace.all(servers.probeCandidates(current, startup), dialer::dial);
        try {
            ServerState best = SwitchPolicy.fastest(servers.all(), System.nanoTime());
            for (ServerState server : servers.all()) {
                server.countRound(server == best);
            }
            ServerState currentState = servers.stateOf(current);
            if (best == null || best == currentState) {
                return null;
            }
            Duration currentRtt = currentState.rtt().mean();
            Duration bestRtt = best.rtt().mean();
            Connection better = answered.get(best);
            if (better == null || !SwitchPolicy.shouldSwitch(currentRtt, bestRtt, best.bestCount(), startup)) {
                return null;
            }
            answered.remove(best);
            return new Switch(better, "it answers faster (RTT " + millis(bestRtt) + " against "
                    + (currentRtt == null ? "no answer" : millis(currentRtt)) + ")");
        } finally {
            answered.values().forEach(Connection::close);
        }
    }

    private static String millis(Duration duration) {
        return String.format(Locale.ROOT, "%.2f ms", duration.toNanos() / 1e6);
    }
}
