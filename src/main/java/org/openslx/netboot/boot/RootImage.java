package org.openslx.netboot.boot;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.block.cache.ReadAheadSource;
import org.openslx.netboot.block.qcow2.Qcow2Options;
import org.openslx.netboot.dnbd3.client.Dnbd3Statistics;
import java.util.function.Supplier;
import org.openslx.netboot.nbd.NbdServer;

/**
 * The storage chain that becomes the client's root device: the image as fetched (dnbd3) →
 * the qcow2 decoder → our NBD server on a unix socket → the kernel's /dev/nbd0. The whole disk
 * is exported; the kernel finds its partitions and stage3 picks the root among them.
 */
final class RootImage implements Closeable {
    private final CountingSource fetched;
    private final Supplier<Dnbd3Statistics> transport;
    private final ReadAheadSource readAhead;
    private final CountingSource exported;
    private final BlockSource root;
    private final NbdServer server;
    private final String device;

    private RootImage(CountingSource fetched, ReadAheadSource readAhead, CountingSource exported,
            Supplier<Dnbd3Statistics> transport, BlockSource root, NbdServer server, String device) {
        this.fetched = fetched;
        this.readAhead = readAhead;
        this.exported = exported;
        this.transport = transport;
        this.root = root;
        this.server = server;
        this.device = device;
    }

    /**
     * @param image the image as the network delivers it (takes ownership)
     * @param transport the dnbd3 client's statistics, for the status line
     */
    static RootImage attach(BlockSource image, Supplier<Dnbd3Statistics> transport, Path socket, String device)
            throws IOException, InterruptedException {
        CountingSource fetched = new CountingSource(image, "dnbd3");
        // Every dnbd3 read is a network round trip: sequential reads (a file read in stage4, the
        // kernel's own read-ahead) are fetched further ahead, many requests in flight.
        ReadAheadSource readAhead = new ReadAheadSource(fetched, ReadAheadSource.Options.DEFAULTS);
        CountingSource exported = new CountingSource(Sources.decode(readAhead, Qcow2Options.DEFAULTS), "kernel");
        BootLog.info("image: %s opened (%d bytes fetched in %d reads)".formatted(exported.describe(),
                fetched.bytesRead(), fetched.reads()));
        BlockSource root = exported;
        NbdServer server = NbdServer.serveUnix(socket, root);
        try {
            NbdAttach.attach(socket, device);
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            root.close();
            throw e;
        }
        return new RootImage(fetched, readAhead, exported, transport, root, server, device);
    }

    String device() {
        return device;
    }

    long sizeBytes() {
        return root.size();
    }

    String describe() {
        return root.describe();
    }

    long bytesFetched() {
        return fetched.bytesRead();
    }

    long readsFetched() {
        return fetched.reads();
    }

    /** Reads the kernel sent and reads sent to dnbd3: sizes and times. */
    String readTimings() {
        Dnbd3Statistics s = transport.get();
        return "%s; %s; %s; dnbd3 replies: mean %.1f ms to the header, %.1f ms to the last byte".formatted(
                exported.timings(), readAhead.statistics(), fetched.timings(), s.meanReplyWait().toNanos() / 1e6,
                s.meanReplyTransfer().toNanos() / 1e6);
    }

    /** Which dnbd3 server serves now, how often the client switched, CRC checks. */
    String transportStatus() {
        Dnbd3Statistics s = transport.get();
        return "server %s, %d switch(es)%s, %d CRC blocks verified, %d failed".formatted(
                s.currentServer() == null ? "none (failing over)" : s.currentServer(), s.switches(),
                s.lastSwitch() == null ? "" : " (last: " + s.lastSwitch() + ")", s.hashBlocksVerified(),
                s.hashBlocksFailed());
    }

    @Override
    public void close() throws IOException {
        server.close();
        root.close();
    }
}
