package org.openslx.netboot.block.qcow2;

import static org.openslx.netboot.block.qcow2.ImageFile.hex;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.openslx.netboot.util.TaskFailure;

/**
 * Reads compressed clusters. A run of whole clusters (what large reads consist of) is decoded
 * straight into the caller's buffer: the compressed bytes of neighbouring clusters, which qemu
 * stores one after the other, are fetched with one read of the image file, and the run is cut
 * into groups decoded in parallel while cores are idle. Parts of clusters (small or unaligned
 * reads) go through a cache of decoded clusters, so reads walking through one cluster decode it
 * once.
 */
final class CompressedClusterReader {
    /** Compressed bytes fetched in one read: the clusters of a 256 KiB read several times over. */
    static final int FETCH_BYTES = 256 * 1024;
    /** Bytes between two compressed clusters that are still read rather than skipped. */
    private static final int MAX_GAP = 4096;
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** Groups being decoded right now, by all images: more parallel work than cores is queued. */
    private static final AtomicInteger DECODING = new AtomicInteger();

    /** A whole cluster and where in the destination buffer it goes. */
    private record Target(Extent.Compressed cluster, int at) {
    }

    private final ImageFile file;
    private final ClusterDecompressor decompressor;
    private final int clusterSize;
    private final BoundedCache<byte[]> clusters;
    private final InputBuffers inputs;

    CompressedClusterReader(ImageFile file, Qcow2Header header, long cacheBytes,
            ClusterDecompressor decompressor) {
        this.file = file;
        this.decompressor = decompressor;
        this.clusterSize = header.clusterSize();
        this.clusters = new BoundedCache<>((int) Math.clamp(cacheBytes / clusterSize, 2, 1 << 16));
        // A compressed cluster may claim up to twice the cluster size (the L2 entry's sector
        // count); a buffer must hold at least one. Up to 8 MiB of buffers, at least 2.
        int bufferBytes = Math.max(FETCH_BYTES, 2 * clusterSize);
        this.inputs = new InputBuffers(Math.clamp((8 << 20) / bufferBytes, 2, Math.max(4, 2 * CORES)),
                bufferBytes);
    }

    /**
     * Puts the bytes of {@code run}, consecutive extents in guest order, into {@code dst} from
     * its position, and advances the position past them.
     */
    void read(List<Extent.Compressed> run, ByteBuffer dst) throws IOException {
        List<Target> whole = new ArrayList<>(run.size());
        int at = dst.position();
        for (Extent.Compressed extent : run) {
            int length = (int) extent.length();
            if (extent.offsetInCluster() == 0 && length == clusterSize) {
                whole.add(new Target(extent, at));
            } else {
                // Only the first and the last extent of a run can be part of a cluster.
                byte[] cluster = clusters.get(extent.hostOffset(), key -> decodeOne(extent));
                dst.put(at, cluster, extent.offsetInCluster(), length);
            }
            at += length;
        }
        decodeAll(whole, dst);
        dst.position(at);
    }

    private byte[] decodeOne(Extent.Compressed extent) throws IOException {
        byte[] cluster = new byte[clusterSize];
        decodeGroup(List.of(new Target(extent, 0)), ByteBuffer.wrap(cluster));
        return cluster;
    }

    /** Decodes whole clusters into {@code dst}, in parallel groups while cores are free. */
    private void decodeAll(List<Target> targets, ByteBuffer dst) throws IOException {
        if (targets.isEmpty()) {
            return;
        }
        List<Thread> helpers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        int busy = DECODING.incrementAndGet(); // this thread
        try {
            // Cut the run in as many parts as there are idle cores, plus this thread's own part;
            // on a busy server that is one part, fetched with as few reads as possible.
            List<List<Target>> groups = groups(targets, 1 + Math.max(0, CORES - busy));
            List<List<Target>> mine = new ArrayList<>();
            mine.add(groups.getFirst());
            for (List<Target> group : groups.subList(1, groups.size())) {
                if (DECODING.incrementAndGet() <= CORES) {
                    helpers.add(startHelper(group, dst, failures));
                } else {
                    DECODING.decrementAndGet();
                    mine.add(group);
                }
            }
            for (List<Target> group : mine) {
                decodeGroup(group, dst);
            }
        } catch (IOException | RuntimeException | Error e) {
            synchronized (failures) {
                failures.addFirst(e);
            }
        } finally {
            DECODING.decrementAndGet();
            // Never return while a helper may still write into the caller's buffer.
            joinUninterruptibly(helpers);
        }
        if (!failures.isEmpty()) {
            throw rethrowable(failures);
        }
    }

    /** Decodes {@code group} on a virtual thread, which counts itself out of DECODING when done. */
    private Thread startHelper(List<Target> group, ByteBuffer dst, List<Throwable> failures) {
        try {
            return Thread.ofVirtual().name("qcow2 decode").start(() -> {
                try {
                    decodeGroup(group, dst);
                } catch (IOException | RuntimeException | Error e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } finally {
                    DECODING.decrementAndGet();
                }
            });
        } catch (RuntimeException | Error e) {
            DECODING.decrementAndGet();
            throw e;
        }
    }

    /**
     * Cuts the targets into about {@code parts} groups, each fetched with a single read: clusters
     * close together in the file, spanning at most one input buffer.
     */
    private List<List<Target>> groups(List<Target> targets, int parts) {
        int perGroup = Math.ceilDiv(targets.size(), Math.min(parts, targets.size()));
        List<List<Target>> groups = new ArrayList<>();
        List<Target> group = new ArrayList<>();
        long start = 0;
        long end = 0;
        for (Target target : targets) {
            Extent.Compressed cluster = target.cluster();
            long host = cluster.hostOffset();
            long hostEnd = host + cluster.compressedLength();
            boolean fits = !group.isEmpty() && group.size() < perGroup && host >= start
                    && host <= end + MAX_GAP && Math.max(end, hostEnd) - start <= inputs.bufferBytes();
            if (!fits && !group.isEmpty()) {
                groups.add(group);
                group = new ArrayList<>();
            }
            if (group.isEmpty()) {
                start = host;
                end = hostEnd;
            }
            group.add(target);
            end = Math.max(end, hostEnd);
        }
        groups.add(group);
        return groups;
    }

    /** Fetches the compressed bytes of the group with one read and decodes each cluster. */
    private void decodeGroup(List<Target> group, ByteBuffer dst) throws IOException {
        long start = group.getFirst().cluster().hostOffset();
        long end = start;
        for (Target target : group) {
            end = Math.max(end, target.cluster().hostOffset() + available(target.cluster()));
        }
        ByteBuffer input = inputs.take();
        try {
            int span = (int) (end - start);
            file.read(input.limit(span), start, "compressed clusters");
            MemorySegment fetched = MemorySegment.ofBuffer(input.flip());
            for (Target target : group) {
                Extent.Compressed cluster = target.cluster();
                MemorySegment in = fetched.asSlice(cluster.hostOffset() - start, available(cluster));
                MemorySegment out = MemorySegment.ofBuffer(dst.slice(target.at(), clusterSize));
                String problem = decompressor.decompress(in, out);
                if (problem != null) {
                    throw file.error("compressed cluster at offset " + hex(cluster.hostOffset())
                            + " for guest offset " + hex(cluster.guestClusterOffset()) + " is corrupt: "
                            + problem);
                }
            }
        } finally {
            inputs.release(input);
        }
    }

    /**
     * The compressed bytes of {@code cluster} that exist: the L2 entry counts whole sectors, and
     * the last one may be cut by the end of the file.
     */
    private int available(Extent.Compressed cluster) throws IOException {
        long host = cluster.hostOffset();
        if (host >= file.size()) {
            throw file.error("compressed cluster offset " + hex(host) + " for guest offset "
                    + hex(cluster.guestClusterOffset()) + " lies past the end of the file (size "
                    + file.size() + ")");
        }
        return (int) Math.min(cluster.compressedLength(), file.size() - host);
    }

    private static void joinUninterruptibly(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static IOException rethrowable(List<Throwable> failures) {
        IOException io = TaskFailure.asIOException(failures.getFirst());
        failures.subList(1, failures.size()).forEach(io::addSuppressed);
        return io;
    }
}
