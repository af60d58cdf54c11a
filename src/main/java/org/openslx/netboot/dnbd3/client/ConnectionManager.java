package org.openslx.netboot.dnbd3.client;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/**
 * Keeps the client connected to the best server it can find, and keeps every read pending until
 * some server delivers it.
 *
 * <p>One supervisor thread watches the current connection: when the server closes it, sends
 * garbage, or owes replies and stays silent longer than the hang bound (derived from its RTT, at
 * most {@link Dnbd3ClientOptions#maxHangBound()}), it fails over: all servers are probed at once
 * and the first to answer with the pinned image version takes over, and every pending request is
 * sent to it again. If none answers, it keeps trying and says so in the log. Meanwhile it sends
 * keepalives and probes the servers' RTTs on the {@link ProbeSchedule}, switching to a clearly
 * faster one ({@link SwitchPolicy}).
 */
final class ConnectionManager implements Connection.Listener, Closeable {
    private static final Logger LOG = System.getLogger("org.openslx.netboot.dnbd3.client");
    private static final Duration TICK = Duration.ofMillis(50);
    /** In a failover, the server just lost is asked this much later than the others. */
    private static final Duration LOST_SERVER_DELAY = Duration.ofMillis(500);
    private static final Duration LOUD_LOG_INTERVAL = Duration.ofSeconds(30);

    private final Dnbd3Url url;
    private final Dnbd3ClientOptions options;
    private final ServerList servers;
    private final Dialer dialer;
    private final RequestTable table = new RequestTable();
    private final ProbeSchedule schedule = new ProbeSchedule();
    private final Object switchLock = new Object();
    private final Object signal = new Object();

    private volatile ImageIdentity identity;
    private volatile CrcList crcList;
    private volatile Connection current;
    private volatile boolean closed;
    private volatile IOException givenUp;
    private Connection lostConnection;
    private String lostReason;
    private Thread supervisor;
    private volatile Thread probeRound;
    /** The supervisor sleeps until its next keepalive or probe: nothing is owed that it must watch. */
    private volatile boolean supervisorResting;

    private final LongAdder bytesFetched = new LongAdder();
    private final AtomicLong requestsSent = new AtomicLong();
    private final AtomicInteger switches = new AtomicInteger();
    private final LongAdder replies = new LongAdder();
    private final LongAdder replyWaitNanos = new LongAdder();
    private final LongAdder replyTransferNanos = new LongAdder();
    private volatile String lastSwitch;

    private ConnectionManager(Dnbd3Url url, Dnbd3ClientOptions options) {
        this.url = url;
        this.options = options;
        this.servers = new ServerList(url.toString(), url.servers());
        this.dialer = new Dialer(url.toString(), () -> identity, options.connectTimeout());
    }

    /**
     * Connects to the first server that offers the image (all are asked at once), pins its name,
     * revision and size, and starts watching.
     *
     * @throws IOException if every server refuses the image, or none answers within
     *     {@link Dnbd3ClientOptions#giveUpAfter()} (without a give-up time it keeps trying)
     */
    static ConnectionManager open(Dnbd3Url url, Dnbd3ClientOptions options) throws IOException {
        ConnectionManager manager = new ConnectionManager(url, options);
        Connection first = FirstConnection.open(url, manager.servers, options);
        try {
            manager.identity = ImageIdentity.of(first.image());
            manager.prepare(first);
        } catch (IOException e) {
            first.close();
            throw new IOException(first.server() + ": " + e.getMessage(), e);
        }
        LOG.log(Level.INFO, "{0}: connected to {1}, image {2}{3}", url, first.server(), manager.identity,
                manager.crcList == null ? ", no CRC list" : ", with CRC list");
        manager.install(first);
        manager.supervisor = Thread.ofPlatform().daemon().name("dnbd3-supervisor " + url.imageName())
                .start(manager::supervise);
        return manager;
    }

    ImageIdentity identity() {
        return identity;
    }

    CrcList crcList() {
        return crcList;
    }

    /** Number of servers known now (from the URL and learnt). */
    int serverCount() {
        return servers.size();
    }

    // ------------------------------------------------------------------ reads

    /**
     * Registers reads of consecutive pieces of {@code region} (position 0, all of it), each at
     * most {@code step} bytes, the first at {@code offset}, and sends them to the current server
     * together (or leaves them for the next one).
     *
     * @throws IOException if the client was closed or has given up
     */
    List<PendingRead> submit(long offset, ByteBuffer region, int step) throws IOException {
        if (closed) {
            throw new IOException(url + ": the dnbd3 client is closed");
        }
        IOException gaveUp = givenUp;
        if (gaveUp != null) {
            throw new IOException(gaveUp.getMessage(), gaveUp);
        }
        List<PendingRead> reads = new ArrayList<>(region.capacity() / step + 1);
        for (int done = 0; done < region.capacity(); done += step) {
            int length = Math.min(step, region.capacity() - done);
            reads.add(table.add(offset + done, region.slice(done, length)));
        }
        Connection connection = current;
        if (connection != null) {
            sendOn(connection, reads);
        }
        return reads;
    }

    private void sendOn(Connection connection, List<PendingRead> reads) {
        List<PendingRead> claimed = new ArrayList<>(reads.size());
        for (PendingRead read : reads) {
            if (read.claimFor(connection)) {
                claimed.add(read);
            }
        }
        if (claimed.isEmpty()) {
            return;
        }
        try {
            connection.send(claimed);
            requestsSent.addAndGet(claimed.size());
            if (supervisorResting) {
                synchronized (signal) {
                    signal.notifyAll(); // the server owes replies now: watch its silence
                }
            }
        } catch (IOException e) {
            lost(connection, "sending a request to the current server failed (" + e.getMessage() + ")");
        }
    }

    /**
     * Shuts these servers out for a while (they delivered data that failed its CRC check) and
     * leaves the current server if it is one of them.
     */
    void distrust(Set<ServerAddress> bad, String reason) {
        servers.distrust(bad, reason);
        Connection connection;
        synchronized (switchLock) {
            connection = current;
            if (connection == null || !bad.contains(connection.server())) {
                return;
            }
            current = null; // new reads wait for the next server instead of going to this one
        }
        synchronized (signal) {
            lostConnection = connection;
            lostReason = "current server " + reason;
            signal.notifyAll();
        }
    }

    // ------------------------------------------------------------------ connection events

    @Override
    public void lost(Connection connection, String reason) {
        synchronized (signal) {
            if (closed || connection != current || lostConnection != null) {
                return;
            }
            lostConnection = connection;
            lostReason = reason;
            signal.notifyAll();
        }
    }

    @Override
    public void received(long bytes) {
        bytesFetched.add(bytes);
    }

    @Override
    public void replied(long waitNanos, long transferNanos) {
        replies.increment();
        replyWaitNanos.add(waitNanos);
        replyTransferNanos.add(transferNanos);
    }

    // ------------------------------------------------------------------ supervisor

    private void supervise() {
        long nextKeepalive = System.nanoTime() + options.keepaliveInterval().toNanos();
        long nextProbe = System.nanoTime() + schedule.interval().toNanos();
        StallGuard stalls = new StallGuard(TICK.toNanos(), System.nanoTime());
        while (!closed) {
            Connection lost;
            String reason;
            long waitNanos;
            synchronized (signal) {
                // Ticks only while the server owes replies (its silence must be timed); otherwise
                // sleep until the next keepalive or probe, or until a request goes out (sendOn
                // wakes us: it reads supervisorResting after its send raised inFlight, and we
                // set it before looking at inFlight, so one of the two sees the other).
                supervisorResting = true;
                waitNanos = restingNanos(nextKeepalive, nextProbe);
                supervisorResting = waitNanos > TICK.toNanos();
                if (lostConnection == null) {
                    try {
                        signal.wait(Math.max(1, waitNanos / 1_000_000));
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                supervisorResting = false;
                lost = lostConnection;
                reason = lostReason;
                lostConnection = null;
                lostReason = null;
            }
            if (closed) {
                return;
            }
            Connection connection = current;
            long now = System.nanoTime();
            long stalled = stalls.stalledNanos(now, waitNanos);
            if (stalled > 0 && connection != null) {
                connection.excuseSilence(stalled, now);
            }
            if (lost != null && (lost == connection || connection == null)) {
                failover(lost, reason);
                nextProbe = System.nanoTime() + schedule.interval().toNanos();
                continue;
            }
            if (connection == null) {
                continue;
            }
            Duration silence = connection.silence(now);
            if (silence.compareTo(hangBound(connection)) > 0) {
                failover(connection, "current server stopped answering (no reply for "
                        + Connection.seconds(silence) + ")");
                nextProbe = System.nanoTime() + schedule.interval().toNanos();
                continue;
            }
            if (now - nextKeepalive >= 0) {
                nextKeepalive = now + options.keepaliveInterval().toNanos();
                try {
                    connection.sendKeepalive();
                } catch (IOException e) {
                    lost(connection, "sending a keepalive to the current server failed (" + e.getMessage() + ")");
                }
            }
            if (now - nextProbe >= 0 && probeRound == null) {
                Connection probed = connection;
                boolean startup = schedule.inStartup();
                probeRound = Thread.ofVirtual().name("dnbd3-probe").start(() -> {
                    try {
                        probeRound(probed, startup);
                    } finally {
                        probeRound = null;
                    }
                });
                nextProbe = now + schedule.roundDone().toNanos();
            }
        }
    }

    /**
     * How long the supervisor may sleep: one tick while the current server owes replies (or
     * there is none), else until the next keepalive or probe is due. An idle client then wakes a
     * few times a minute instead of 20 times a second (CPU time an idle client, or an emulated
     * one, should not spend).
     */
    private long restingNanos(long nextKeepalive, long nextProbe) {
        Connection connection = current;
        if (connection == null || connection.inFlight() > 0 || closed) {
            return TICK.toNanos();
        }
        long now = System.nanoTime();
        long due = nextKeepalive - now;
        if (probeRound == null) {
            due = Math.min(due, nextProbe - now);
        }
        return Math.max(TICK.toNanos(), due);
    }

    /** How long the current server may stay silent while owing replies ({@link HangBound}). */
    Duration hangBound(Connection connection) {
        return HangBound.of(servers.stateOf(connection.server()).rtt().mean(), options);
    }

    /**
     * The current server is gone: find another (or the same one again) that serves the pinned
     * image, install it and re-send everything pending. Keeps trying until one answers, the
     * client is closed, or (with a give-up time) fails the waiting reads when that time is over.
     */
    private void failover(Connection dead, String reason) {
        long start = System.nanoTime();
        synchronized (switchLock) {
            if (current == dead) {
                current = null;
            } else if (current != null) {
                return; // a probe round replaced it meanwhile
            }
        }
        dead.close();
        ServerState deadState = servers.stateOf(dead.server());
        LOG.log(Level.INFO, "{0}: leaving {1}: {2}; {3} reads waiting", url, dead.server(), reason, table.size());
        long nextLoudLog = start;
        Backoff pause = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        Backoff patience = Backoff.connectPatience(options.connectTimeout());
        while (!closed) {
            List<String> failures = new ArrayList<>();
            Connection next = raceTrusted(deadState, patience.current(), failures);
            if (next != null) {
                try {
                    prepare(next, patience.current());
                } catch (IOException e) {
                    failures.add(next.server() + ": " + e.getMessage());
                    next.close();
                    next = null;
                }
            }
            if (next != null) {
                String from = dead.server().toString();
                Duration stall = Duration.ofNanos(System.nanoTime() - start);
                install(next);
                recordSwitch((from.equals(next.server().toString()) ? "reconnected to " + from + " after: "
                        : "switched from " + from + " to " + next.server() + ": ") + reason
                        + (givenUp == null ? "" : "; reads work again"), Level.WARNING);
                LOG.log(Level.DEBUG, "{0}: failover took {1}", url, Connection.seconds(stall));
                givenUp = null;
                return;
            }
            long now = System.nanoTime();
            Duration waited = Duration.ofNanos(now - start);
            String summary = "no dnbd3 server can serve " + identity + " (" + String.join("; ", failures) + ")";
            if (now - nextLoudLog >= 0) {
                LOG.log(Level.ERROR, "{0}: {1}; {2} reads have been waiting for {3}, still trying",
                        url, summary, table.size(), Connection.seconds(waited));
                nextLoudLog = now + LOUD_LOG_INTERVAL.toNanos();
            }
            Duration giveUp = options.giveUpAfter();
            if (giveUp != null && waited.compareTo(giveUp) >= 0) {
                givenUp = new IOException(url + ": " + summary + " for " + Connection.seconds(waited));
                table.failAll(givenUp);
            }
            patience.roundFailed();
            sleepUnlessClosed(pause.current());
            pause.roundFailed();
        }
    }

    /** Races the servers not shut out; if none of them answers, the shut-out ones too. */
    private Connection raceTrusted(ServerState lostServer, Duration timeout, List<String> failures) {
        List<List<ServerState>> groups = servers.trustedAndShutOut();
        for (List<ServerState> group : groups) {
            if (!group.isEmpty()) {
                Connection next = ServerRace.first(group, lostServer, LOST_SERVER_DELAY,
                        server -> dialer.dial(server, timeout), failures);
                if (next != null) {
                    return next;
                }
            }
        }
        return null;
    }

    /** Before a connection carries reads: fetch a missing CRC list and learn alt servers. */
    private void prepare(Connection connection) throws IOException {
        prepare(connection, options.connectTimeout());
    }

    private void prepare(Connection connection, Duration timeout) throws IOException {
        if (options.verifyCrc() && crcList == null) {
            CrcList list;
            try {
                list = connection.fetchCrcList(timeout);
            } catch (org.openslx.netboot.dnbd3.protocol.ProtocolException e) {
                LOG.log(Level.WARNING, "{0}: ignoring the CRC list of {1}: {2}", url, connection.server(), e.getMessage());
                list = null;
            }
            int expected = Dnbd3Protocol.hashBlockCount(identity.size());
            if (list != null && list.blockCount() != expected) {
                LOG.log(Level.WARNING, "{0}: ignoring the CRC list of {1}: it has {2} entries, the image needs {3}",
                        url, connection.server(), list.blockCount(), expected);
                list = null;
            }
            crcList = list;
        }
        if (options.learnServers()) {
            servers.learn(connection.fetchServers(timeout), connection.server());
        }
    }

    /** Makes {@code next} the current connection and sends it everything pending. */
    private void install(Connection next) {
        synchronized (switchLock) {
            if (closed) {
                next.close();
                return;
            }
            Connection old = current;
            current = null;
            if (old != null) {
                old.close();
            }
            next.start(table, this);
            current = next;
            sendOn(next, table.snapshot());
        }
    }

    // ------------------------------------------------------------------ probing

    private void probeRound(Connection probedCurrent, boolean startup) {
        ProbeRound.Switch faster = ProbeRound.run(servers, dialer, probedCurrent.server(), startup);
        if (faster == null) {
            return;
        }
        Connection better = faster.connection();
        try {
            prepare(better);
        } catch (IOException e) {
            better.close();
            return;
        }
        synchronized (switchLock) {
            if (closed || current != probedCurrent) {
                better.close();
                return;
            }
            install(better);
        }
        schedule.switched();
        recordSwitch("switched from " + probedCurrent.server() + " to " + better.server() + ": " + faster.reason(),
                Level.INFO);
    }

    private void recordSwitch(String text, Level level) {
        switches.incrementAndGet();
        lastSwitch = text;
        LOG.log(level, "{0}: {1}", url, text);
    }

    // ------------------------------------------------------------------ state

    Dnbd3Statistics statistics(long verified, long failed) {
        Connection connection = current;
        return new Dnbd3Statistics(String.valueOf(identity), connection == null ? null : connection.server(),
                bytesFetched.sum(), requestsSent.get(), table.size(), switches.get(), lastSwitch, crcList != null,
                verified, failed, servers.snapshot(), meanOf(replyWaitNanos), meanOf(replyTransferNanos));
    }

    private Duration meanOf(LongAdder nanos) {
        long count = replies.sum();
        return count == 0 ? Duration.ZERO : Duration.ofNanos(nanos.sum() / count);
    }

    private void sleepUnlessClosed(Duration pause) {
        synchronized (signal) {
            if (!closed) {
                try {
                    signal.wait(Math.max(1, pause.toMillis()));
                } catch (InterruptedException e) {
                    // closed() interrupts; the loop checks the flag
                }
            }
        }
    }

    /** Stops all threads, closes the connection and fails whatever is still pending. */
    @Override
    public void close() {
        synchronized (signal) {
            if (closed) {
                return;
            }
            closed = true;
            signal.notifyAll();
        }
        Thread thread = supervisor;
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Connection connection;
        synchronized (switchLock) {
            connection = current;
            current = null;
        }
        if (connection != null) {
            connection.close();
        }
        table.failAll(new IOException(url + ": the dnbd3 client was closed"));
        LOG.log(Level.DEBUG, "{0}: closed", url);
    }
}
