package org.openslx.netboot.block.partition;

/**
 * One partition as the partition table describes it.
 *
 * @param number the number Linux gives it (1-based; MBR logical partitions start at 5)
 * @param offset its first byte on the disk
 * @param length its size in bytes
 * @param name the GPT partition name ("" for MBR, or when unnamed)
 * @param type the GPT type GUID or MBR type code
 */
public record Partition(int number, long offset, long length, String name, PartitionType type) {
}
