package org.openslx.netboot.block.qcow2;

import static org.openslx.netboot.block.qcow2.ImageFile.hex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and validates the qcow2 header and its extensions. Every field that later code trusts
 * (sizes, offsets, counts) is checked here against the file size and against qemu's own limits,
 * so that a hostile header ends in an error naming the field instead of a huge allocation or a
 * read outside the file.
 */
final class Qcow2HeaderReader {
    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;
    /** qemu refuses extended L2 below 16 KiB clusters: subclusters would be under 512 bytes. */
    static final int MIN_EXTENDED_L2_CLUSTER_BITS = 14;
    /** qemu's limits (QCOW_MAX_L1_SIZE, QCOW_MAX_REFTABLE_SIZE, QCOW_MAX_SNAPSHOTS). */
    static final long MAX_L1_BYTES = 32L << 20;
    static final long MAX_REFCOUNT_TABLE_BYTES = 8L << 20;
    static final long MAX_SNAPSHOTS = 65536;
    static final int MAX_BACKING_FILE_NAME = 1023;

    private static final int V2_HEADER_LENGTH = 72;
    private static final int V3_MIN_HEADER_LENGTH = 104;
    private static final long KNOWN_INCOMPATIBLE = Qcow2Header.INCOMPATIBLE_DIRTY
            | Qcow2Header.INCOMPATIBLE_CORRUPT | Qcow2Header.INCOMPATIBLE_DATA_FILE
            | Qcow2Header.INCOMPATIBLE_COMPRESSION_TYPE | Qcow2Header.INCOMPATIBLE_EXTENDED_L2;

    private final ImageFile file;
    private ByteBuffer header;

    private Qcow2HeaderReader(ImageFile file) {
        this.file = file;
    }

    static Qcow2Header read(ImageFile file) throws IOException {
        return new Qcow2HeaderReader(file).read();
    }

    private Qcow2Header read() throws IOException {
        header = readHeaderBytes(V2_HEADER_LENGTH);
        if (header.getInt(0) != Qcow2Header.MAGIC) {
            throw file.error("not a qcow2 image (no QFI\\xfb magic at offset 0)");
        }
        int version = header.getInt(4);
        if (version != 2 && version != 3) {
            throw file.error("version " + Integer.toUnsignedString(version)
                    + " (header offset 0x4) is not supported; only qcow2 versions 2 and 3 are");
        }
        int clusterBits = header.getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw field("cluster_bits", 20, Integer.toUnsignedString(clusterBits),
                    "is out of range (9 to 21, i.e. 512 B to 2 MiB clusters)");
        }
        int clusterSize = 1 << clusterBits;

        int headerLength = V2_HEADER_LENGTH;
        long incompatible = 0;
        long compatible = 0;
        long autoclear = 0;
        int refcountOrder = 4;
        if (version == 3) {
            header = readHeaderBytes(V3_MIN_HEADER_LENGTH);
            headerLength = header.getInt(100);
            if (headerLength < V3_MIN_HEADER_LENGTH || headerLength % 8 != 0
                    || headerLength > clusterSize) {
                throw field("header_length", 100, Integer.toUnsignedString(headerLength),
                        "is invalid (a multiple of 8 from 104 up to the cluster size " + clusterSize
                                + ")");
            }
            header = readHeaderBytes(headerLength);
            incompatible = header.getLong(72);
            compatible = header.getLong(80);
            autoclear = header.getLong(88);
            refcountOrder = header.getInt(96);
            if (refcountOrder < 0 || refcountOrder > 6) {
                throw field("refcount_order", 96, Integer.toUnsignedString(refcountOrder),
                        "is out of range (0 to 6)");
            }
        }

        HeaderExtensions extensions = readExtensions(headerLength, clusterSize);
        refuseUnsupported(incompatible, extensions);
        Compression compression = compression(version, headerLength, incompatible);
        if ((incompatible & Qcow2Header.INCOMPATIBLE_EXTENDED_L2) != 0
                && clusterBits < MIN_EXTENDED_L2_CLUSTER_BITS) {
            throw field("cluster_bits", 20, Integer.toString(clusterBits),
                    "is too small for extended L2 entries (at least 14, i.e. 16 KiB clusters)");
        }

        long size = header.getLong(24);
        if (size < 0) {
            throw field("size", 24, Long.toUnsignedString(size),
                    "overflows: a virtual size must stay below 2^63 bytes");
        }
        Qcow2Header parsed = new Qcow2Header(version, clusterBits, size,
                header.getInt(36), header.getLong(40), header.getLong(48), header.getInt(56),
                header.getInt(60), header.getLong(64), incompatible, compatible, autoclear,
                refcountOrder, headerLength, compression, extensions);
        checkL1Table(parsed);
        checkRefcountTable(parsed);
        checkSnapshotTable(parsed);
        return parsed;
    }

    private ByteBuffer readHeaderBytes(int length) throws IOException {
        if (file.size() < length) {
            throw file.error("truncated header: the file has " + file.size()
                    + " bytes, the qcow2 header needs " + length);
        }
        return ByteBuffer.wrap(file.read(0, length, "header"));
    }

    private HeaderExtensions readExtensions(int start, int clusterSize) throws IOException {
        Map<String, String> featureNames = new LinkedHashMap<>();
        String dataFileName = null;
        String backingFormat = null;
        boolean bitmaps = false;
        // Extensions fill the rest of the first cluster at most; each one is at least 8 bytes,
        // so this loop ends after clusterSize / 8 steps whatever the file says.
        long offset = start;
        while (offset + 8 <= clusterSize) {
            ByteBuffer head = ByteBuffer.wrap(file.read(offset, 8, "header extension"));
            int type = head.getInt(0);
            long length = Integer.toUnsignedLong(head.getInt(4));
            if (type == HeaderExtensions.END) {
                break;
            }
            if (length > clusterSize - offset - 8) {
                throw file.error("header extension 0x" + Integer.toHexString(type) + " at offset "
                        + hex(offset) + " has length " + length
                        + ", past the end of the header cluster (" + clusterSize + " bytes)");
            }
            byte[] data = file.read(offset + 8, (int) length, "header extension data");
            switch (type) {
                case HeaderExtensions.FEATURE_NAME_TABLE -> readFeatureNames(data, featureNames);
                case HeaderExtensions.EXTERNAL_DATA_FILE -> dataFileName = text(data);
                case HeaderExtensions.BACKING_FORMAT -> backingFormat = text(data);
                case HeaderExtensions.BITMAPS -> bitmaps = true;
                default -> {
                    // Unknown extensions may be ignored (spec); encryption is refused via crypt_method.
                }
            }
            offset += 8 + ((length + 7) & ~7L);
        }
        return new HeaderExtensions(Map.copyOf(featureNames), dataFileName, backingFormat, bitmaps);
    }

    private static void readFeatureNames(byte[] data, Map<String, String> names) {
        String[] kinds = {"incompatible", "compatible", "autoclear"};
        for (int entry = 0; entry + 48 <= data.length; entry += 48) {
            int kind = data[entry] & 0xff;
            if (kind < kinds.length) {
                String name = text(Arrays.copyOfRange(data, entry + 2, entry + 48));
                names.put(kinds[kind] + ":" + (data[entry + 1] & 0xff), name);
            }
        }
    }

    /** A NUL-padded string: up to the first NUL, non-printable characters replaced. */
    private static String text(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
    }

    private void refuseUnsupported(long incompatible, HeaderExtensions extensions)
            throws IOException {
        long unknown = incompatible & ~KNOWN_INCOMPATIBLE;
        if (unknown != 0) {
            int bit = Long.numberOfTrailingZeros(unknown);
            String name = extensions.incompatibleFeatureName(bit);
            throw file.error("uses incompatible feature bit " + bit
                    + (name == null || name.isEmpty() ? "" : " (\"" + name + "\")")
                    + " (incompatible_features, header offset 0x48), which this reader does not know;"
                    + " refusing to guess what the image means");
        }
        if ((incompatible & Qcow2Header.INCOMPATIBLE_DATA_FILE) != 0) {
            throw file.error("uses an external data file"
                    + (extensions.dataFileName() == null ? "" : " (" + extensions.dataFileName() + ")")
                    + ", which is not supported; convert it to a self-contained image with qemu-img convert");
        }
        int cryptMethod = header.getInt(32);
        if (cryptMethod != 0) {
            String method = switch (cryptMethod) {
                case 1 -> "AES";
                case 2 -> "LUKS";
                default -> "unknown method " + Integer.toUnsignedString(cryptMethod);
            };
            throw file.error("is encrypted (" + method + ", crypt_method at header offset 0x20),"
                    + " which is not supported");
        }
        long backingFileOffset = header.getLong(8);
        if (backingFileOffset != 0) {
            throw file.error("has a backing file" + backingFileName(backingFileOffset)
                    + " (backing_file_offset at header offset 0x8), which is not supported;"
                    + " flatten it into one image with qemu-img convert");
        }
    }

    /** " (name)" if the backing file name can be read safely, else "". */
    private String backingFileName(long offset) throws IOException {
        int length = header.getInt(16);
        if (length <= 0 || length > MAX_BACKING_FILE_NAME || !file.contains(offset, length)) {
            return "";
        }
        return " (" + text(file.read(offset, length, "backing file name")) + ")";
    }

    private Compression compression(int version, int headerLength, long incompatible)
            throws IOException {
        int type = version == 3 && headerLength > 104 ? header.get(104) & 0xff : 0;
        boolean flagged = (incompatible & Qcow2Header.INCOMPATIBLE_COMPRESSION_TYPE) != 0;
        if (flagged != (type != 0)) {
            throw field("compression_type", 104, Integer.toString(type),
                    flagged ? "is missing or zlib, but the compression-type feature bit is set"
                            : "is set, but the compression-type feature bit is not");
        }
        return switch (type) {
            case 0 -> Compression.ZLIB;
            case 1 -> Compression.ZSTD;
            default -> throw field("compression_type", 104, Integer.toString(type),
                    "is unknown (0 zlib and 1 zstd are)");
        };
    }

    private void checkL1Table(Qcow2Header h) throws IOException {
        long maxEntries = MAX_L1_BYTES / 8;
        long needed = h.l1EntriesNeeded();
        if (needed > maxEntries) {
            throw field("size", 24, Long.toString(h.size()), "needs an L1 table of " + needed
                    + " entries with " + h.clusterSize() + "-byte clusters, more than qemu's limit of "
                    + maxEntries + " (32 MiB)");
        }
        long l1Size = Integer.toUnsignedLong(h.l1Size());
        if (l1Size > maxEntries) {
            throw field("l1_size", 36, Long.toString(l1Size), "is far too large (at most "
                    + maxEntries + " entries, 32 MiB)");
        }
        if (l1Size < needed) {
            throw field("l1_size", 36, Long.toString(l1Size), "is too small for the virtual size "
                    + h.size() + " (needs " + needed + " entries)");
        }
        if (l1Size > 0) {
            checkTable("l1_table_offset", 40, h.l1TableOffset(), l1Size * 8, h.clusterSize(),
                    "the L1 table");
        }
    }

    private void checkRefcountTable(Qcow2Header h) throws IOException {
        long clusters = Integer.toUnsignedLong(h.refcountTableClusters());
        if (clusters == 0) {
            throw field("refcount_table_clusters", 56, "0", "is invalid: every image has a refcount table");
        }
        long bytes = clusters << h.clusterBits();
        if (bytes > MAX_REFCOUNT_TABLE_BYTES) {
            throw field("refcount_table_clusters", 56, Long.toString(clusters),
                    "is far too large (the table may span at most 8 MiB)");
        }
        checkTable("refcount_table_offset", 48, h.refcountTableOffset(), bytes, h.clusterSize(),
                "the refcount table");
    }

    private void checkSnapshotTable(Qcow2Header h) throws IOException {
        long count = Integer.toUnsignedLong(h.snapshotCount());
        if (count > MAX_SNAPSHOTS) {
            throw field("nb_snapshots", 60, Long.toString(count), "is far too large (at most 65536)");
        }
        if (count > 0) {
            // Each entry takes at least 40 bytes; the exact size is checked when listing them.
            checkTable("snapshots_offset", 64, h.snapshotsOffset(), count * 40, h.clusterSize(),
                    "the snapshot table");
        }
    }

    private void checkTable(String name, int at, long offset, long bytes, int clusterSize,
            String what) throws IOException {
        if ((offset & (clusterSize - 1)) != 0) {
            throw field(name, at, hex(offset), "is not aligned to the cluster size " + clusterSize);
        }
        if (!file.contains(offset, bytes)) {
            throw field(name, at, hex(offset), "is invalid: " + what + " (" + bytes
                    + " bytes) would lie past the end of the file (size " + file.size() + ")");
        }
    }

    private IOException field(String name, int at, String value, String problem) {
        return file.error(name + " " + value + " (header offset " + hex(at) + ") " + problem);
    }
}
