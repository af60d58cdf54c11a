package org.openslx.netboot.block;

/**
 * How a run of a source's bytes is stored, as {@link BlockSource#allocation} reports it: NBD's
 * {@code base:allocation} context and qemu's block status in one bit.
 *
 * @param length bytes in the run, at least 1
 * @param hole true if the bytes are not stored at all and read as zeros (an unallocated or zero
 *     qcow2 cluster, a hole in a sparse file): copies may skip them. False means data, which may
 *     still happen to be zeros.
 */
public record Allocation(long length, boolean hole) {
    public Allocation {
        if (length <= 0) {
            throw new IllegalArgumentException("an allocation run of " + length + " bytes");
        }
    }

    public static Allocation data(long length) {
        return new Allocation(length, false);
    }

    public static Allocation hole(long length) {
        return new Allocation(length, true);
    }
}
