package org.openslx.netboot.stage3.machine;

import java.io.IOException;

/**
 * Where stage3 looks at the machine: the real one ({@link SysfsMachineProbe}) or a description
 * ({@link DescribedMachine}) for {@code slx stage3 plan --machine} and the tests. Each call returns
 * the machine as it is now: disks may appear while stage3 waits.
 */
public interface MachineSource {
    Machine snapshot() throws IOException;

    /** Stage3's clock: how long since the boot logic started, and a way to wait. */
    BootClock clock();
}
