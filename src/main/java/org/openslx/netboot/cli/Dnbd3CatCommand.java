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
        OneLineLogs.install();
        Dnbd3Url image = Dnbd3Url.parse(url);
        Dnbd3Statistics stats;
        long size;
        try (Dnbd3Source source = Dnbd3Source.open(image, options);
             ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor();
             TerminalProgress progress = new TerminalProgress(image.imageName())) {
            FileChannel out = new FileOutputStream(FileDescriptor.out).getChannel();
            ByteBuffer[] buffers = {ByteBuffer.allocateDirect(CHUNK), ByteBuffer.allocateDirect(CHUNK)};
            size = source.size();
            Future<ByteBuffer> next = size > 0 ? reader.submit(() -> read(source, buffers[0], 0)) : null;
            int turn = 0;
            long done = 0;
            for (long at = 0; at < size; at += CHUNK) {
                ByteBuffer data = await(next);
                long following = at + CHUNK;
                turn ^= 1;
                ByteBuffer spare = buffers[turn];
                next = following < size ? reader.submit(() -> read(source, spare, following)) : null;
                while (data.hasRemaining()) {
                    out.write(data);
                }
                done += data.limit();
                progress.update("reading", done, size);
            }
            stats = source.statistics();
        }
        if (System.console() != null && System.console().isTerminal()) {
            summary(stats, size);
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

    /** After the copy, on a terminal: where the data came from and what was checked. */
    private static void summary(Dnbd3Statistics stats, long total) {
        String integrity = !stats.crcListPresent() ? "no CRC list to check against"
                : stats.hashBlocksVerified() + " of " + (total + CHUNK - 1) / CHUNK + " hash blocks passed their CRC check"
                + (stats.hashBlocksFailed() == 0 ? "" : ", " + stats.hashBlocksFailed() + " failed and were re-fetched");
        System.err.println("dnbd3 cat: read from " + stats.currentServer() + ", " + stats.switches()
                + " server switches; " + integrity);
    }
}
