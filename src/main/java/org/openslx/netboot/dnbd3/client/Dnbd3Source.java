package org.openslx.netboot.dnbd3.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/**
 * A dnbd3 image as a {@link BlockSource}: {@code dnbd3://HOST[:PORT][,HOST[:PORT]].../NAME[?rid=N]}.
 *
 * <p>Capabilities: read-only, any offset and length (no alignment needed), many concurrent
 * readers over one connection. A read is split into GET_BLOCKs of at most
 * {@link Dnbd3ClientOptions#requestSize()} bytes, all sent at once (pipelined). Reads never fail
 * while some server can serve the image: when the current server dies or hangs they wait for the
 * next one ({@link ConnectionManager}). Whole 16 MiB blocks are checked against the server's CRC
 * list when it has one ({@link IntegrityChecker}).
 */
public final class Dnbd3Source implements BlockSource {
    private final Dnbd3Url url;
    private final Dnbd3ClientOptions options;
    private final ConnectionManager manager;
    private final long size;
    private volatile IntegrityChecker integrity;

    private Dnbd3Source(Dnbd3Url url, Dnbd3ClientOptions options, ConnectionManager manager) {
        this.url = url;
        this.options = options;
        this.manager = manager;
        this.size = manager.identity().size();
    }

    /** Opens a dnbd3 URL with {@link Dnbd3ClientOptions#defaults()} (never gives up once open). */
    public static Dnbd3Source open(String url) throws IOException {
        return open(Dnbd3Url.parse(url), Dnbd3ClientOptions.defaults());
    }

    /**
     * Connects to the first server that offers the image and pins its name, revision and size.
     *
     * @throws IOException if no server offers the image, or none answers within
     *     {@link Dnbd3ClientOptions#giveUpAfter()}
     */
    public static Dnbd3Source open(Dnbd3Url url, Dnbd3ClientOptions options) throws IOException {
        return new Dnbd3Source(url, options, ConnectionManager.open(url, options));
    }

    @Override
    public long size() {
        return size;
    }

    /** The canonical image name the server answered. */
    public String imageName() {
        return manager.identity().name();
    }

    /** The revision in use (the server's latest at open time if the URL asked for rid 0). */
    public int revision() {
        return manager.identity().rid();
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        int length = dst.remaining();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        ByteBuffer region = dst.slice(dst.position(), length);
        IntegrityChecker checker = integrity();
        ReadCrcs crcs = checker == null ? null : new ReadCrcs(offset, length, Dnbd3Protocol.HASH_BLOCK_SIZE);
        Set<ServerAddress> servers = fetch(offset, region, crcs);
        if (checker != null) {
            checker.check(offset, region, servers, crcs);
        }
        dst.position(dst.limit());
    }

    /** Reads {@code region} (all of it, position 0) at {@code offset}; returns who delivered it. */
    private Set<ServerAddress> fetch(long offset, ByteBuffer region) throws IOException {
        return fetch(offset, region, null);
    }

    /**
     * Like {@link #fetch(long, ByteBuffer)}, and feeds each request to {@code crcs} (if not null)
     * as it completes, in order, while the later ones are still arriving.
     */
    private Set<ServerAddress> fetch(long offset, ByteBuffer region, ReadCrcs crcs) throws IOException {
        List<PendingRead> reads;
        try {
            reads = manager.submit(offset, region, options.requestSize());
        } catch (IOException e) {
            throw failed(region, offset, e);
        }
        IOException failure = null;
        Set<ServerAddress> servers = new LinkedHashSet<>();
        for (PendingRead read : reads) {
            try {
                read.await();
                servers.add(read.deliveredBy());
                if (crcs != null && failure == null) {
                    crcs.add(read.freshTarget());
                }
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failed(region, offset, failure);
        }
        return servers;
    }

    private static IOException failed(ByteBuffer region, long offset, IOException cause) {
        return new IOException("reading " + region.capacity() + " bytes at offset " + offset + " failed: "
                + cause.getMessage(), cause);
    }

    private IntegrityChecker integrity() {
        IntegrityChecker checker = integrity;
        if (checker == null && options.verifyCrc()) {
            CrcList list = manager.crcList();
            if (list != null) {
                synchronized (this) {
                    if (integrity == null) {
                        integrity = new IntegrityChecker(url.toString(), list, size, manager, this::fetch);
                    }
                    checker = integrity;
                }
            }
        }
        return checker;
    }

    /** What the client has done so far: servers, RTTs, bytes, switches, CRC checks. */
    public Dnbd3Statistics statistics() {
        IntegrityChecker checker = integrity;
        return manager.statistics(checker == null ? 0 : checker.verified(), checker == null ? 0 : checker.failed());
    }

    @Override
    public String describe() {
        return url.toString();
    }

    @Override
    public void close() {
        manager.close();
    }
}
