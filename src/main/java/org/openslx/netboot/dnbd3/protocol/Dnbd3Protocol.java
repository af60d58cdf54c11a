package org.openslx.netboot.dnbd3.protocol;

/** Constants of the dnbd3 protocol, with the reference implementation's names in the comments. */
public final class Dnbd3Protocol {
    private Dnbd3Protocol() {
    }

    /** The two magic bytes every header starts with, "sr" ({@code dnbd3_packet_magic}). */
    public static final byte MAGIC_0 = 0x73;
    public static final byte MAGIC_1 = 0x72;
    /** The magic read as a little-endian u16. */
    public static final int MAGIC = 0x7273;

    /** Default TCP port ({@code PORT}). */
    public static final int DEFAULT_PORT = 5003;

    /** The version we speak ({@code PROTOCOL_VERSION}). */
    public static final int PROTOCOL_VERSION = 3;
    /** Oldest client version a server accepts ({@code MIN_SUPPORTED_CLIENT}). */
    public static final int MIN_SUPPORTED_CLIENT = 2;
    /** Oldest server version a client accepts ({@code MIN_SUPPORTED_SERVER}). */
    public static final int MIN_SUPPORTED_SERVER = 2;

    /** Request header length ({@code DNBD3_REQUEST_SIZE}). */
    public static final int REQUEST_SIZE = 24;
    /** Reply header length ({@code DNBD3_REPLY_SIZE}). */
    public static final int REPLY_SIZE = 16;

    /** Largest payload of any message except GET_BLOCK data ({@code MAX_PAYLOAD}). */
    public static final int MAX_PAYLOAD = 1000;

    /** Virtual-size and cache-map granularity ({@code DNBD3_BLOCK_SIZE}). */
    public static final int BLOCK_SIZE = 4096;
    /** Unit of one CRC-32 in a CRC list ({@code HASH_BLOCK_SIZE}). */
    public static final int HASH_BLOCK_SIZE = 1 << 24;

    /** Most server entries in one GET_SERVERS reply ({@code NUMBER_SERVERS}). */
    public static final int NUMBER_SERVERS = 8;

    /** Largest offset a request header can carry: 56 bits. */
    public static final long MAX_OFFSET = (1L << 56) - 1;

    /** SELECT_IMAGE flag: the peer is a dnbd3 server or proxy ({@code FLAGS8_SERVER}). */
    public static final int FLAGS8_SERVER = 0x01;
    /** SELECT_IMAGE flag: the peer proxy does full background replication ({@code FLAGS8_BG_REP}). */
    public static final int FLAGS8_BG_REP = 0x02;

    /** Hop byte: the low 6 bits count proxy hops. */
    public static final int HOP_COUNT_MASK = 0x3f;
    /** Hop byte flag: background-replication request. */
    public static final int HOP_FLAG_BGR = 0x80;
    /** Hop byte flag: prefetch request. */
    public static final int HOP_FLAG_PREFETCH = 0x40;

    /** An image's virtual size: its file size rounded up to a multiple of {@link #BLOCK_SIZE}. */
    public static long virtualSize(long realSize) {
        if (realSize < 0) {
            throw new IllegalArgumentException("negative image size " + realSize);
        }
        return (realSize + BLOCK_SIZE - 1) & -(long) BLOCK_SIZE;
    }

    /** Number of 16 MiB hash blocks (CRC list entries) of an image of this real size. */
    public static int hashBlockCount(long realSize) {
        if (realSize < 0) {
            throw new IllegalArgumentException("negative image size " + realSize);
        }
        return Math.toIntExact((realSize + HASH_BLOCK_SIZE - 1) / HASH_BLOCK_SIZE);
    }
}
