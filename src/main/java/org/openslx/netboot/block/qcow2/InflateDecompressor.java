package org.openslx.netboot.block.qcow2;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * qcow2's default compression, raw deflate (no zlib header, no checksum), decoded by the JDK's
 * zlib. Like qemu it accepts a stream once the cluster is full, whatever follows.
 */
final class InflateDecompressor implements ClusterDecompressor {
    /** Inflaters hold native memory; keep a few for reuse and end the rest. */
    private final ArrayBlockingQueue<Inflater> pool = new ArrayBlockingQueue<>(8);

    @Override
    public String decompress(MemorySegment input, MemorySegment cluster) {
        Inflater inflater = pool.poll();
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        try {
            inflater.setInput(input.asByteBuffer());
            ByteBuffer out = cluster.asByteBuffer();
            int length = out.remaining();
            while (out.hasRemaining()) {
                long consumedBefore = inflater.getBytesRead();
                int n = inflater.inflate(out);
                if (n == 0 && (inflater.finished() || inflater.needsInput()
                        || inflater.needsDictionary() || inflater.getBytesRead() == consumedBefore)) {
                    break;
                }
            }
            if (out.hasRemaining()) {
                return "deflate stream ends after " + out.position() + " of " + length + " bytes";
            }
            return null;
        } catch (DataFormatException e) {
            return "invalid deflate data (" + e.getMessage() + ")";
        } finally {
            inflater.reset();
            if (!pool.offer(inflater)) {
                inflater.end();
            }
        }
    }

    @Override
    public String describe() {
        return "zlib (java.util.zip.Inflater)";
    }
}
