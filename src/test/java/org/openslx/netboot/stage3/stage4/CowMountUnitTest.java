package org.openslx.netboot.stage3.stage4;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.boot.Tool;
import org.openslx.netboot.stage3.machine.Partition;
import org.openslx.netboot.stage3.storage.CowChoice;

class CowMountUnitTest {
    private static final Partition ID44 = new Partition("sda2", "sda", 2, 1L << 30, Optional.of("OpenSLX-ID44"),
            Optional.empty(), OptionalInt.empty(), Optional.of("ext4"), Optional.empty(), Optional.empty());

    @Test
    void unitNamesMatchSystemdEscape() throws Exception {
        for (String path : new String[] {"/run/openslx/cow-ram", "/run/openslx/cow-disk/", "/mnt/a b/.x/ü"}) {
            String expected = Tool.of("systemd-escape", "--path", path).run().strip();
            assertThat(CowMountUnit.unitName(path)).as(path).isEqualTo(expected);
        }
    }

    @Test
    void cowInRamGetsADropInForTheTmpfsMount() {
        String mountPoint = CowMountUnit.mountPoint(new CowChoice.Ram(1024, "test")).orElseThrow();
        assertThat(CowMountUnit.dropInDirectory(mountPoint)).isEqualTo("run-openslx-cow\\x2dram.mount.d");
        assertThat(CowMountUnit.content(mountPoint)).contains("[Unit]\nDefaultDependencies=no\n");
    }

    @Test
    void cowFileOnId44GetsADropInButAWholePartitionNeedsNone() {
        assertThat(CowMountUnit.mountPoint(new CowChoice.FileOnPartition(ID44, Path.of("/run/openslx/cow-disk/c"), 0, false)))
                .contains("/run/openslx/cow-disk");
        assertThat(CowMountUnit.mountPoint(new CowChoice.WholePartition(ID44, false, false, Optional.empty()))).isEmpty();
    }
}
