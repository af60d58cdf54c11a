package org.openslx.netboot.block.partition;

/**
 * A filesystem recognised by its superblock.
 *
 * @param type "ext2", "ext3", "ext4", "btrfs" or "xfs"
 * @param label the volume label ("" when unset)
 * @param uuid the filesystem UUID as blkid prints it
 */
public record Filesystem(String type, String label, String uuid) {
}
