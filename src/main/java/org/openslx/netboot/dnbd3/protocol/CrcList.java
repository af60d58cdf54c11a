package org.openslx.netboot.dnbd3.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * An image's CRC-32 list, as in a {@code .crc} file and a GET_CRC32 reply: {@code u32 master}
 * then one {@code u32} per 16 MiB hash block (all little-endian), where {@code master} is the
 * CRC-32 (zlib/IEEE) over the list's bytes. Block {@code i} covers image bytes
 * {@code [i·16 MiB, min((i+1)·16 MiB, virtual size))}: the last block runs to the 4 KiB-rounded
 * size, the padding counted as zeros.
 *
 * @param blockCrcs one CRC-32 per hash block (the array is copied in and never exposed)
 */
public record CrcList(int[] blockCrcs) {

    public CrcList {
        blockCrcs = blockCrcs.clone();
    }

    /** Number of hash blocks. */
    public int blockCount() {
        return blockCrcs.length;
    }

    /** The CRC of hash block i. */
    public int blockCrc(int index) {
        return blockCrcs[index];
    }

    @Override
    public int[] blockCrcs() {
        return blockCrcs.clone();
    }

    /** The master CRC: CRC-32 over the little-endian list bytes. */
    public int master() {
        ByteBuffer list = ByteBuffer.allocate(blockCrcs.length * 4);
        for (int crc : blockCrcs) {
            LittleEndian.putInt(list, crc);
        }
        CRC32 crc = new CRC32();
        crc.update(list.flip());
        return (int) crc.getValue();
    }

    /** Byte length of the encoded form: 4 · (blocks + 1). */
    public int encodedSize() {
        return 4 * (blockCrcs.length + 1);
    }

    /** Master and list in a fresh buffer, flipped: the .crc file content and GET_CRC32 payload. */
    public ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(encodedSize());
        LittleEndian.putInt(buffer, master());
        for (int crc : blockCrcs) {
            LittleEndian.putInt(buffer, crc);
        }
        return buffer.flip();
    }

    /**
     * Decodes master and list from all remaining bytes of src (consumed).
     *
     * @throws ProtocolException if the length is not 4·(n+1) or the master CRC does not match
     */
    public static CrcList decode(ByteBuffer src) throws ProtocolException {
        int length = src.remaining();
        if (length < 4 || length % 4 != 0) {
            throw new ProtocolException("CRC list of " + length + " bytes is not a master CRC plus whole u32 entries");
        }
        int master = LittleEndian.getInt(src);
        int[] crcs = new int[length / 4 - 1];
        for (int i = 0; i < crcs.length; i++) {
            crcs[i] = LittleEndian.getInt(src);
        }
        CrcList list = new CrcList(crcs);
        if (list.master() != master) {
            throw new ProtocolException(String.format(
                    "CRC list master CRC 0x%08x does not match the CRC of its %d entries (0x%08x)",
                    master, crcs.length, list.master()));
        }
        return list;
    }

    /** CRC-32 of the remaining bytes of data (not consumed): the value of one hash block. */
    public static int crcOf(ByteBuffer data) {
        CRC32 crc = new CRC32();
        crc.update(data.duplicate());
        return (int) crc.getValue();
    }

    /** Whether data (remaining bytes, not consumed) is hash block {@code index} as listed. */
    public boolean matches(int index, ByteBuffer data) {
        return crcOf(data) == blockCrcs[index];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CrcList that && Arrays.equals(blockCrcs, that.blockCrcs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blockCrcs);
    }

    @Override
    public String toString() {
        return String.format("CrcList(%d blocks, master 0x%08x)", blockCrcs.length, master());
    }
}
