package org.openslx.netboot.stage3.plan;

/**
 * Values only known while the boot runs, which later steps refer to as {@code ${name}}: the root
 * partition inside the image (found once the image is attached) and the copy-on-write device (a
 * loop device the kernel picks). The executor fills them in; a dry-run plan shows the names, and
 * the expected values when the machine description allows.
 */
public final class Slots {
    /** The root partition inside the image, e.g. /dev/nbd0p1. */
    public static final String ROOT = "root";
    /** Its size in 512-byte sectors. */
    public static final String ROOT_SECTORS = "root.sectors";
    /** The copy-on-write device: a loop device, a partition or /dev/mapper/slx-cow. */
    public static final String COW = "cow";
    /**
     * P or N: whether the snapshot keeps its data across boots. Set when the copy-on-write state is
     * recorded, so a disk store that falls back to RAM at run time also falls back to N.
     */
    public static final String COW_PERSISTENCE = "cow.persistence";

    private Slots() {
    }

    public static String ref(String slot) {
        return "${" + slot + "}";
    }
}
