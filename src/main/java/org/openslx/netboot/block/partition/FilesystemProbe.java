package org.openslx.netboot.block.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import org.openslx.netboot.block.BlockSource;

/**
 * Recognises ext2/3/4, btrfs and xfs by their superblock magic and reads their label, like
 * blkid does, so that {@code --partition} can select a filesystem by label.
 */
public final class FilesystemProbe {
    private static final int EXT_SUPERBLOCK = 1024;
    private static final int EXT_MAGIC = 0xef53;
    private static final int BTRFS_SUPERBLOCK = 64 * 1024;
    private static final byte[] BTRFS_MAGIC = "_BHRfS_M".getBytes(StandardCharsets.US_ASCII);
    private static final int XFS_MAGIC = 0x58465342; // "XFSB"

    private FilesystemProbe() {
    }

    /** The filesystem in {@code length} bytes at {@code offset} of {@code disk}, if one is known. */
    public static Optional<Filesystem> probe(BlockSource disk, long offset, long length)
            throws IOException {
        Optional<Filesystem> found = ext(disk, offset, length);
        if (found.isEmpty()) {
            found = xfs(disk, offset, length);
        }
        if (found.isEmpty()) {
            found = btrfs(disk, offset, length);
        }
        return found;
    }

    /** The filesystem on the whole of {@code disk}. */
    public static Optional<Filesystem> probe(BlockSource disk) throws IOException {
        return probe(disk, 0, disk.size());
    }

    private static Optional<Filesystem> ext(BlockSource disk, long offset, long length)
            throws IOException {
        if (length < EXT_SUPERBLOCK + 1024) {
            return Optional.empty();
        }
        ByteBuffer sb = Disk.read(disk, offset + EXT_SUPERBLOCK, 1024, "ext superblock");
        if (Short.toUnsignedInt(sb.getShort(56)) != EXT_MAGIC) {
            return Optional.empty();
        }
        int compat = sb.getInt(92);
        int incompat = sb.getInt(96);
        int roCompat = sb.getInt(100);
        // As blkid: extents, 64bit, flex_bg or huge_file/gdt_csum/dir_nlink/extra_isize mean ext4.
        boolean ext4 = (incompat & (0x40 | 0x80 | 0x200)) != 0 || (roCompat & (0x8 | 0x10 | 0x20 | 0x40)) != 0;
        boolean journal = (compat & 0x4) != 0;
        String type = ext4 ? "ext4" : journal ? "ext3" : "ext2";
        return Optional.of(new Filesystem(type, text(sb, 120, 16), uuid(sb, 104)));
    }

    private static Optional<Filesystem> xfs(BlockSource disk, long offset, long length)
            throws IOException {
        if (length < 512) {
            return Optional.empty();
        }
        ByteBuffer sb = Disk.read(disk, offset, 512, "xfs superblock").order(ByteOrder.BIG_ENDIAN);
        if (sb.getInt(0) != XFS_MAGIC) {
            return Optional.empty();
        }
        return Optional.of(new Filesystem("xfs", text(sb, 108, 12), uuid(sb, 32)));
    }

    private static Optional<Filesystem> btrfs(BlockSource disk, long offset, long length)
            throws IOException {
        if (length < BTRFS_SUPERBLOCK + 4096) {
            return Optional.empty();
        }
        ByteBuffer sb = Disk.read(disk, offset + BTRFS_SUPERBLOCK, 4096, "btrfs superblock");
        byte[] magic = new byte[BTRFS_MAGIC.length];
        sb.get(0x40, magic);
        if (!Arrays.equals(magic, BTRFS_MAGIC)) {
            return Optional.empty();
        }
        return Optional.of(new Filesystem("btrfs", text(sb, 0x12b, 256), uuid(sb, 0x20)));
    }

    /** A NUL-padded UTF-8 label. */
    private static String text(ByteBuffer sb, int at, int length) {
        byte[] raw = new byte[length];
        sb.get(at, raw);
        int end = 0;
        while (end < length && raw[end] != 0) {
            end++;
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }

    /** Filesystem UUIDs are stored as 16 bytes in order (unlike GPT GUIDs). */
    private static String uuid(ByteBuffer sb, int at) {
        ByteBuffer be = sb.duplicate().order(ByteOrder.BIG_ENDIAN);
        return new UUID(be.getLong(at), be.getLong(at + 8)).toString();
    }
}
