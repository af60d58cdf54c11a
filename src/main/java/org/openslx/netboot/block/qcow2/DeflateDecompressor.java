package org.openslx.netboot.block.qcow2;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** qcow2's default compression: raw deflate (no zlib header, no checksum), as qemu writes it. */
final class DeflateDecompressor implements ClusterDecompressor {
    /** Inflaters hold native memory; keep a few for reuse and end the rest. */
    private final ArrayBlockingQueue<Inflater> pool = new ArrayBlockingQueue<>(8);

    @Override
    public String decompress(byte[] input, int inputLength, byte[] out, int offset, int length) {
        Inflater inflater = pool.poll();
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        try {
            inflater.setInput(input, 0, inputLength);
            int produced = 0;
            while (produced < length) {
                long consumedBefore = inflater.getBytesRead();
                int n = inflater.inflate(out, offset + produced, length - produced);
                produced += n;
                if (n == 0 && (inflater.finished() || inflater.needsInput()
                        || inflater.needsDictionary() || inflater.getBytesRead() == consumedBefore)) {
                    break;
                }
            }
            if (produced < length) {
                return "deflate stream ends after " + produced + " of " + length + " bytes";
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
}
