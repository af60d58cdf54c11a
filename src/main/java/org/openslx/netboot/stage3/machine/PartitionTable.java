package org.openslx.netboot.stage3.machine;

/** The partition table on a disk, as blkid names it (gpt, dos). */
public enum PartitionTable {
    GPT, MBR, NONE
}
