package org.openslx.netboot.block.qcow2;

/**
 * An internal snapshot, as listed by {@code qemu-img snapshot -l}. Reading always shows the
 * active state, never a snapshot.
 *
 * @param id the unique ID string
 * @param name the snapshot name
 * @param virtualSize the guest size when the snapshot was taken, or -1 if not recorded
 * @param dateSeconds when it was taken, in seconds since the epoch
 */
public record Qcow2Snapshot(String id, String name, long virtualSize, long dateSeconds) {
}
