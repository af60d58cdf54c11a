package org.openslx.netboot.block.qcow2;

import io.airlift.compress.v3.MalformedInputException;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * {@code compression_type=zstd}: one or more zstd frames that together yield the cluster, as
 * qemu's decoder accepts, followed by padding up to the sector end. Uses aircompressor's pure
 * Java decoder, so no native library has to travel into the initramfs.
 */
final class ZstdClusterDecompressor implements ClusterDecompressor {
    /** The decoder keeps table state between calls and is not thread-safe; pool a few. */
    private final ArrayBlockingQueue<ZstdJavaDecompressor> pool = new ArrayBlockingQueue<>(8);

    @Override
    public String decompress(byte[] input, int inputLength, byte[] out, int offset, int length) {
        ZstdJavaDecompressor decoder = pool.poll();
        if (decoder == null) {
            decoder = new ZstdJavaDecompressor();
        }
        try {
            int in = 0;
            int produced = 0;
            while (produced < length) {
                int frame = ZstdFrames.frameLength(input, in, inputLength);
                if (frame < 0) {
                    return "zstd data is truncated or not a zstd frame at byte " + in + " after "
                            + produced + " of " + length + " bytes";
                }
                if (!ZstdFrames.isSkippable(input, in, inputLength)) {
                    produced += decoder.decompress(input, in, frame, out, offset + produced,
                            length - produced);
                }
                in += frame;
            }
            return null;
        } catch (MalformedInputException e) {
            return "invalid zstd data (" + e.getMessage() + ")";
        } catch (RuntimeException e) {
            // Hostile frames can trip the decoder in other ways; the data is still just invalid.
            return "invalid zstd data (" + e + ")";
        } finally {
            pool.offer(decoder);
        }
    }
}
