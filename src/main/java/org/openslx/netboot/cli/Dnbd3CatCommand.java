package org.openslx.netboot.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.openslx.netboot.dnbd3.client.Dnbd3ClientOptions;
import org.openslx.netboot.dnbd3.client.Dnbd3Source;
import org.openslx.netboot.dnbd3.client.Dnbd3Statistics;
import org.openslx.netboot.dnbd3.client.Dnbd3Url;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slx dnbd3 cat URL}: the image, raw, to stdout. Reads whole 16 MiB blocks (so each is
 * checked against the server's CRC list, if it has one) while the previous block is written.
 */
@Command(name = "cat",
        description = {"Write a dnbd3 image raw to stdout, with failover between the servers in the URL.",
                "URL: dnbd3://HOST[:PORT][,HOST[:PORT]].../NAME[?rid=N] (IPv6 in brackets, port 5003 by default,"
                        + " no rid = the newest revision).",
                "Progress goes to stderr when it is a terminal."})
final class Dnbd3CatCommand implements Callable<Integer> {
    private static final int CHUNK = Dnbd3Protocol.HASH_BLOCK_SIZE;

    @Parameters(paramLabel = "URL", description = "The image, e.g. dnbd3://10.0.2.2,10.0.2.3:5004/demo/root.qcow2")
    String url;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "Fail when no server can serve for this long, e.g. 30s, 5m; 0 waits forever (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        Duration giveUp = parseDuration(timeout);
        Dnbd3ClientOptions options = Dnbd3ClientOptions.defaults().withGiveUpAfter(giveUp.isZero() ? null : giveUp);
        boolean terminal = System.console() != null && System.console().isTerminal();
        try (Dnbd3Source source = Dnbd3Source.open(Dnbd3Url.parse(url), options);
             ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor()) {
            FileChannel out = new FileOutputStream(FileDescriptor.out).getChannel();
            Progress progress = new Progress(source.size(), terminal);
            ByteBuffer[] buffers = {ByteBuffer.allocateDirect(CHUNK), ByteBuffer.allocateDirect(CHUNK)};
            long size = source.size();
            Future<ByteBuffer> next = size > 0 ? reader.submit(() -> read(source, buffers[0], 0)) : null;
            int turn = 0;
            for (long at = 0; at < size; at += CHUNK) {
                ByteBuffer data = await(next);
                long following = at + CHUNK;
                turn ^= 1;
                ByteBuffer spare = buffers[turn];
                next = following < size ? reader.submit(() -> read(source, spare, following)) : null;
                while (data.hasRemaining()) {
                    out.write(data);
                }
                progress.advance(data.limit());
            }
            progress.finish(source.statistics());
        }
        return 0;
    }

    private static ByteBuffer read(Dnbd3Source source, ByteBuffer buffer, long offset) throws IOException {
        buffer.clear().limit((int) Math.min(buffer.capacity(), source.size() - offset));
        source.read(buffer, offset);
        return buffer.flip();
    }

    private static ByteBuffer await(Future<ByteBuffer> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** "30s", "5m", "500ms", "1h" or plain seconds; "0" = forever. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--timeout '" + text + "' is not a duration like 30s, 5m or 0");
        }
    }

    /** A percentage line on stderr, redrawn at most five times a second; only on a terminal. */
    private static final class Progress {
        private final long total;
        private final boolean show;
        private final long start = System.nanoTime();
        private long done;
        private long lastShown;

        Progress(long total, boolean show) {
            this.total = total;
            this.show = show;
        }

        void advance(long bytes) {
            done += bytes;
            long now = System.nanoTime();
            if (show && (now - lastShown > 200_000_000L || done == total)) {
                lastShown = now;
                System.err.printf("\rdnbd3 cat: %3d%% (%d of %d MiB, %s)", total == 0 ? 100 : done * 100 / total,
                        done >> 20, total >> 20, rate(now));
            }
        }

        void finish(Dnbd3Statistics stats) {
            if (!show) {
                return;
            }
            String integrity = !stats.crcListPresent() ? "no CRC list to check against"
                    : stats.hashBlocksVerified() + " of " + (total + CHUNK - 1) / CHUNK + " hash blocks passed their CRC check"
                    + (stats.hashBlocksFailed() == 0 ? "" : ", " + stats.hashBlocksFailed() + " failed and were re-fetched");
            System.err.printf("\r\033[Kdnbd3 cat: %d MiB in %.1f s (%s) from %s, %d server switches; %s%n",
                    done >> 20, (System.nanoTime() - start) / 1e9, rate(System.nanoTime()), stats.currentServer(),
                    stats.switches(), integrity);
        }

        private String rate(long now) {
            double seconds = Math.max(1e-9, (now - start) / 1e9);
            return String.format(Locale.ROOT, "%.0f MB/s", done / seconds / 1e6);
        }
    }
}
