package org.openslx.netboot.stage3.machine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where stage3 looks at the machine: the real one ({@link SysfsMachineProbe}) or a description
 * ({@link DescribedMachine}) for {@code slx stage3 plan --machine} and the tests. Each call returns
 * the machine as it is now: disks may appear while stage3 waits.
 */
public interface MachineSource {
    Machine snapshot() throws IOException;

    /**
     * The machine as now, with at least {@code device} (a whole disk such as /dev/nbd0) looked at
     * closely; other disks may be left out. For the real machine each disk probed is a blkid run per
     * disk and partition, which costs up to seconds in a slow client.
     */
    default Machine snapshotOf(Path device) throws IOException {
        return snapshot();
    }

    /** Whether the whole disk {@code device} exists and has a size, without looking inside it. */
    default boolean hasDisk(Path device) throws IOException {
        return snapshot().disk(device).isPresent();
    }

    /** Stage3's clock: how long since the boot logic started, and a way to wait. */
    BootClock clock();
}
