package org.openslx.netboot.server;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * The dnbd3 CRC list of an image, as the reference writes it into {@code <image>.crc} and sends it
 * for GET_CRC32: a little-endian u32 master CRC (CRC-32 over the list bytes), then one u32 per
 * 16 MiB block. The last block's CRC covers the data up to the 4 KiB-rounded size, zero-padded.
 * Fed sequentially with the image's bytes.
 */
public final class CrcList {
    public static final int HASH_BLOCK_SIZE = 1 << 24;
    private static final int DNBD3_BLOCK_SIZE = 4096;

    private final CRC32 current = new CRC32();
    private long inCurrentBlock;
    private long total;
    private ByteBuffer crcs = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);

    /** Takes the next bytes of the image (all of {@code data}'s remaining bytes). */
    public void update(ByteBuffer data) {
        while (data.hasRemaining()) {
            int n = (int) Math.min(data.remaining(), HASH_BLOCK_SIZE - inCurrentBlock);
            ByteBuffer slice = data.slice(data.position(), n);
            current.update(slice);
            data.position(data.position() + n);
            inCurrentBlock += n;
            total += n;
            if (inCurrentBlock == HASH_BLOCK_SIZE) {
                finishBlock();
            }
        }
    }

    /** The file's bytes: master CRC then the block CRCs. Call once, after the last update. */
    public byte[] finish() {
        if (inCurrentBlock > 0) {
            long padded = (inCurrentBlock + DNBD3_BLOCK_SIZE - 1) / DNBD3_BLOCK_SIZE * DNBD3_BLOCK_SIZE;
            current.update(new byte[(int) (padded - inCurrentBlock)]);
            finishBlock();
        }
        crcs.flip();
        CRC32 master = new CRC32();
        master.update(crcs.duplicate());
        ByteBuffer file = ByteBuffer.allocate(4 + crcs.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt((int) master.getValue()).put(crcs);
        return file.array();
    }

    /** Bytes fed so far. */
    public long size() {
        return total;
    }

    private void finishBlock() {
        if (crcs.remaining() < 4) {
            crcs = ByteBuffer.allocate(crcs.capacity() * 2).order(ByteOrder.LITTLE_ENDIAN).put(crcs.flip());
        }
        crcs.putInt((int) current.getValue());
        current.reset();
        inCurrentBlock = 0;
    }
}
