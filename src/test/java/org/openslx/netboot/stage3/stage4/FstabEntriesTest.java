package org.openslx.netboot.stage3.stage4;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.stage3.machine.Partition;
import org.openslx.netboot.stage3.storage.CowChoice;
import org.openslx.netboot.stage3.storage.RootChoice;
import org.openslx.netboot.stage3.storage.StoragePlan;

class FstabEntriesTest {
    private static final RootChoice ROOT = new RootChoice(Path.of("/dev/nbd0"), Optional.of("SLX_SYS"),
            Optional.empty(), Optional.empty());
    private static final Partition ID44 = new Partition("sda2", "sda", 2, 1L << 30, Optional.of("OpenSLX-ID44"),
            Optional.empty(), OptionalInt.empty(), Optional.of("ext4"), Optional.empty(), Optional.empty());

    private static List<String> linesFor(CowChoice cow, List<String> mountRootOptions) {
        var plan = new StoragePlan(ROOT, cow, false, "", Optional.empty(), List.of(), List.of());
        return FstabEntries.of(plan, mountRootOptions).lines();
    }

    @Test
    void rootLineCarriesTheMountRootOptionsAndType() {
        assertThat(linesFor(new CowChoice.Ram(1024, "test"), List.of("-t", "ext4", "-o", "noatime")).getFirst())
                .isEqualTo("/dev/mapper/slx-root / ext4 noatime 0 0");
    }

    @Test
    void cowTmpfsInRamStaysMountedUntilTheFinalShutdownStep() {
        assertThat(linesFor(new CowChoice.Ram(1024, "test"), List.of()))
                .contains("tmpfs /run/openslx/cow-ram tmpfs noauto,nofail,x-initrd.mount,mode=0700 0 0");
    }

    @Test
    void id44FilesystemHoldingTheCowFileStaysMountedUntilTheFinalShutdownStep() {
        assertThat(linesFor(new CowChoice.FileOnPartition(ID44, Path.of("/run/openslx/cow-disk/cow.img"), 0, false), List.of()))
                .contains("/dev/sda2 /run/openslx/cow-disk ext4 noauto,nofail,x-initrd.mount 0 0");
    }

    @Test
    void wholeId44PartitionNeedsNoMount() {
        assertThat(linesFor(new CowChoice.WholePartition(ID44, false, false, Optional.empty()), List.of())).hasSize(1);
    }
}
