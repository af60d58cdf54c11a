package org.openslx.netboot.stage3.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.stage3.cmdline.DebugSwitches;
import org.openslx.netboot.stage3.config.ConfigParser;
import org.openslx.netboot.stage3.config.SlxConfig;
import org.openslx.netboot.stage3.config.SlxConfigReader;
import org.openslx.netboot.stage3.machine.CowOwner;
import org.openslx.netboot.stage3.machine.DescribedMachine;
import org.openslx.netboot.stage3.plan.Step;

/** Storage plans for fake machines, described the way {@code slx stage3 plan --machine} reads them. */
class StoragePlannerTest {
    private static final String BASE_CONFIG = """
            SLX_DNBD3_SERVERS='10.0.0.1'
            SLX_DNBD3_IMAGE='ubuntu.qcow2'
            SLX_DNBD3_RID='3'
            SLX_SYSTEM_PARTITION_IDENTIFIER='SLX_SYS'
            SLX_WRITABLE_DEVICE_IDENTIFIER='OpenSLX-ID44'
            SLX_WRITABLE_DEVICE_IDENTIFIER_TIMEOUT_IN_SECONDS='10'
            SLX_RAMDISK_SIZE_IN_KB='1000000'
            """;
    private static final String IMAGE_DISK = """
            { "name": "nbd0", "size": "8G", "table": "gpt",
              "partitions": [ { "number": 1, "size": "6G", "gptName": "SLX_SYS", "filesystem": "ext4" } ] }""";

    private final List<String> log = new ArrayList<>();

    private StoragePlan plan(String extraConfig, String disks) throws IOException {
        return plan(extraConfig, disks, DebugSwitches.none());
    }

    private StoragePlan plan(String extraConfig, String disks, DebugSwitches debug) throws IOException {
        SlxConfig config = SlxConfigReader.read(ConfigParser.parse("test.config", BASE_CONFIG + extraConfig));
        DescribedMachine machine = DescribedMachine.parse("machine.json", "{ \"memoryKb\": 8000000, \"disks\": [" + disks + "] }");
        return new StoragePlanner(config, machine, debug, true, log::add).plan();
    }

    private static String id44(String size, String extra) {
        return "{ \"name\": \"sda\", \"size\": \"64G\", \"table\": \"gpt\", \"partitions\": [ { \"number\": 3, \"size\": \""
                + size + "\", \"gptName\": \"OpenSLX-ID44\"" + extra + " } ] }";
    }

    @Test
    void machineWithoutDisksKeepsTheCopyOnWriteLayerInRamAndSaysSoLoudly() throws IOException {
        StoragePlan plan = plan("", "");
        assertThat(plan.cow()).isInstanceOfSatisfying(CowChoice.Ram.class, ram -> {
            assertThat(ram.sizeKb()).isEqualTo(1_000_000);
            assertThat(ram.reason()).contains("no ID44 partition").contains("within 10 s");
        });
        assertThat(plan.warnings()).anyMatch(w -> w.endsWith(": COW in RAM, 1000000 KB") && w.startsWith("no ID44 partition"));
        assertThat(log).anyMatch(l -> l.startsWith("WARNING:"));
        assertThat(plan.persistentSnapshot()).isFalse();
        assertThat(plan.steps()).contains(
                new Step.Mount("tmpfs", Path.of("/run/openslx/cow-ram"), Optional.of("tmpfs"),
                        List.of("-o", "size=1001024k,mode=0700")),
                new Step.CreateCowFile(Path.of("/run/openslx/cow-ram/cow.img"), 1_000_000L * 1024, 0, Optional.empty()),
                new Step.AttachLoopDevice(Path.of("/run/openslx/cow-ram/cow.img"), "cow"));
        assertThat(plan.steps()).anyMatch(s -> s instanceof Step.RecordCowState r && r.state().kind().equals("ram"));
    }

    @Test
    void presentId44PartitionIsUsedWholeWithAFallbackToRam() throws IOException {
        StoragePlan plan = plan("", id44("20G", "") + "," + IMAGE_DISK);
        assertThat(plan.cow()).isInstanceOfSatisfying(CowChoice.WholePartition.class, whole -> {
            assertThat(whole.partition().device()).isEqualTo(Path.of("/dev/sda3"));
            assertThat(whole.persistent()).isFalse();
        });
        Step.WithFallback fallback = (Step.WithFallback) plan.steps().stream()
                .filter(Step.WithFallback.class::isInstance).findFirst().orElseThrow();
        assertThat(fallback.primary()).containsExactly(
                new Step.WriteCowHeader(Path.of("/dev/sda3"), Optional.empty()),
                new Step.UseDevice("cow", Path.of("/dev/sda3"), "the ID44 partition, used whole"),
                fallback.primary().getLast());
        assertThat(fallback.fallback()).anyMatch(s -> s instanceof Step.AttachLoopDevice);
        assertThat(plan.dmTable()).isEqualTo("0 ${root.sectors} snapshot ${root} ${cow} ${cow.persistence} 8");
        assertThat(plan.expectedDmTable()).contains("0 12582912 snapshot /dev/nbd0p1 /dev/sda3 N 8");
        assertThat(plan.warnings()).isEmpty();
    }

    @Test
    void tooSmallId44PartitionIsNotUsed() throws IOException {
        StoragePlan plan = plan("", id44("100M", ""));
        assertThat(plan.cow()).isInstanceOf(CowChoice.Ram.class);
        assertThat(plan.warnings()).anyMatch(w -> w.contains("/dev/sda3 is only 100 MiB")
                && w.endsWith("COW in RAM, 1000000 KB"));
    }

    @Test
    void id44PartitionAppearingAfterThreeSecondsIsWaitedFor() throws IOException {
        StoragePlan plan = plan("", id44("20G", ", \"appearsAfterSeconds\": 3"));
        assertThat(plan.cow()).isInstanceOf(CowChoice.WholePartition.class);
        assertThat(log).contains("the ID44 partition /dev/sda3 appeared after 3 s");
        assertThat(plan.warnings()).contains("the ID44 partition /dev/sda3 appeared only after 3 s of waiting");
    }

    @Test
    void id44PartitionAppearingAfterTheTimeoutIsTooLate() throws IOException {
        StoragePlan plan = plan("", id44("20G", ", \"appearsAfterSeconds\": 11"));
        assertThat(plan.cow()).isInstanceOf(CowChoice.Ram.class);
    }

    @Test
    void persistentCowOfTheSameImageAndRidIsReused() throws IOException {
        StoragePlan plan = plan("SLX_WRITABLE_DEVICE_PERSISTENT=yes\n",
                id44("20G", ", \"cowOwner\": { \"image\": \"ubuntu.qcow2\", \"rid\": 3 }"));
        assertThat(plan.cow()).isInstanceOfSatisfying(CowChoice.WholePartition.class, whole -> {
            assertThat(whole.persistent()).isTrue();
            assertThat(whole.reuses()).isTrue();
        });
        assertThat(plan.persistentSnapshot()).isTrue();
        List<Step> primary = ((Step.WithFallback) plan.steps().stream()
                .filter(Step.WithFallback.class::isInstance).findFirst().orElseThrow()).primary();
        assertThat(primary).noneMatch(s -> s instanceof Step.WriteCowHeader || s instanceof Step.ZeroRange);
        assertThat(primary).contains(new Step.CreateDmDevice("slx-cow", "0 41940992 linear /dev/sda3 2048"));
    }

    @Test
    void persistentCowOfAnotherRidStartsFresh() throws IOException {
        StoragePlan plan = plan("SLX_WRITABLE_DEVICE_PERSISTENT=yes\n",
                id44("20G", ", \"cowOwner\": { \"image\": \"ubuntu.qcow2\", \"rid\": 2 }"));
        assertThat(plan.cow()).isInstanceOfSatisfying(CowChoice.WholePartition.class, whole -> {
            assertThat(whole.reuses()).isFalse();
            assertThat(whole.note()).contains("it holds the data of ubuntu.qcow2 revision 2, which is discarded");
        });
        List<Step> primary = ((Step.WithFallback) plan.steps().stream()
                .filter(Step.WithFallback.class::isInstance).findFirst().orElseThrow()).primary();
        assertThat(primary).startsWith(
                new Step.ZeroRange(Path.of("/dev/sda3"), 1 << 20, 4096),
                new Step.WriteCowHeader(Path.of("/dev/sda3"), Optional.of(new CowOwner("ubuntu.qcow2", 3))));
    }

    @Test
    void persistenceWithRidZeroIsRefusedBecauseTheRevisionIsUnknown() throws IOException {
        StoragePlan plan = plan("SLX_WRITABLE_DEVICE_PERSISTENT=yes\nSLX_DNBD3_RID=0\n", id44("20G", ""));
        assertThat(plan.persistentSnapshot()).isFalse();
        assertThat(plan.warnings()).anyMatch(w -> w.contains("needs a fixed SLX_DNBD3_RID"));
    }

    @Test
    void fileOnTheId44FilesystemIsCheckedMountedAndSized() throws IOException {
        StoragePlan plan = plan("""
                SLX_WRITABLE_DEVICE_STORAGE_FILE_PATH='/slx/cow.img'
                SLX_WRITABLE_DEVICE_STORAGE_MAXIMUM_FILE_SIZE_IN_MB=2000
                SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CHECK_COMMAND='fsck.ext4 -p'
                SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CREATE_COMMAND='mkfs.ext4 -q'
                SLX_WRITABLE_DEVICE_PERSISTENT=yes
                """, id44("20G", ", \"filesystem\": \"ext4\""));
        assertThat(plan.cow()).isInstanceOf(CowChoice.FileOnPartition.class);
        List<Step> primary = ((Step.WithFallback) plan.steps().stream()
                .filter(Step.WithFallback.class::isInstance).findFirst().orElseThrow()).primary();
        assertThat(primary).containsSubsequence(
                new Step.CheckFilesystem(Path.of("/dev/sda3"), List.of("fsck.ext4", "-p"), List.of("mkfs.ext4", "-q")),
                new Step.Mount("/dev/sda3", Path.of("/run/openslx/cow-disk"), Optional.empty(), List.of()),
                new Step.MakeDirectory(Path.of("/run/openslx/cow-disk/slx")),
                new Step.CreateCowFile(Path.of("/run/openslx/cow-disk/slx/cow.img"), 2000L << 20, 16L << 20,
                        Optional.of(new CowOwner("ubuntu.qcow2", 3))),
                new Step.AttachLoopDevice(Path.of("/run/openslx/cow-disk/slx/cow.img"), "cow"));
    }

    @Test
    void id44WithoutFilesystemGetsOneWhenACreateCommandIsGiven() throws IOException {
        StoragePlan plan = plan("SLX_WRITABLE_DEVICE_STORAGE_FILE_PATH=cow\n"
                + "SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CREATE_COMMAND=mkfs.ext4\n", id44("20G", ""));
        assertThat(plan.steps().stream().filter(Step.WithFallback.class::isInstance).findFirst().orElseThrow())
                .satisfies(f -> assertThat(((Step.WithFallback) f).primary())
                        .startsWith(new Step.CreateFilesystem(Path.of("/dev/sda3"), List.of("mkfs.ext4"))));
    }

    @Test
    void id44WithoutFilesystemAndWithoutCreateCommandFallsBackToRamAtPlanTime() throws IOException {
        StoragePlan plan = plan("SLX_WRITABLE_DEVICE_STORAGE_FILE_PATH=cow\n", id44("20G", ""));
        assertThat(plan.cow()).isInstanceOf(CowChoice.Ram.class);
        assertThat(plan.warnings()).anyMatch(w -> w.contains("has no filesystem"));
    }

    @Test
    void id44IsAlsoRecognisedByGptTypeAndByMbrType() throws IOException {
        String byType = "{ \"name\": \"vda\", \"size\": \"64G\", \"table\": \"gpt\", \"partitions\": [ { \"number\": 2,"
                + " \"size\": \"10G\", \"gptType\": \"87F86132-FF94-4987-B250-444444444444\" } ] }";
        assertThat(plan("", byType).cow()).isInstanceOfSatisfying(CowChoice.WholePartition.class,
                w -> assertThat(w.partition().name()).isEqualTo("vda2"));
        String byMbr = "{ \"name\": \"nvme0n1\", \"size\": \"64G\", \"table\": \"mbr\", \"partitions\": [ { \"number\": 5,"
                + " \"size\": \"10G\", \"mbrType\": \"0x44\" } ] }";
        assertThat(plan("", byMbr).cow()).isInstanceOfSatisfying(CowChoice.WholePartition.class,
                w -> assertThat(w.partition().name()).isEqualTo("nvme0n1p5"));
    }

    @Test
    void partitionsOfTheImageItselfAreNeverTheCopyOnWriteStore() throws IOException {
        String imageWithId44 = "{ \"name\": \"nbd0\", \"size\": \"8G\", \"table\": \"gpt\", \"partitions\": ["
                + " { \"number\": 2, \"size\": \"2G\", \"gptName\": \"OpenSLX-ID44\" } ] }";
        assertThat(plan("", imageWithId44).cow()).isInstanceOf(CowChoice.Ram.class);
    }

    @Test
    void debugSwitchForcesRamWithoutWaiting() throws IOException {
        StoragePlan plan = plan("", id44("20G", ""), new DebugSwitches(false, java.util.Set.of(), true));
        assertThat(plan.cow()).isInstanceOfSatisfying(CowChoice.Ram.class,
                r -> assertThat(r.reason()).isEqualTo("slx.cow=ram on the kernel command line"));
    }

    @Test
    void rootMountUsesTheConfiguredOptionsAndWarnsAboutSubvolumesOnExt4() throws IOException {
        StoragePlan plan = plan("SLX_MOUNT_ROOT_OPTIONS='-o subvol=@'\n", IMAGE_DISK);
        assertThat(plan.steps()).contains(new Step.Mount("/dev/mapper/slx-root", Path.of("/sysroot"), Optional.empty(),
                List.of("-o", "subvol=@")));
        assertThat(plan.warnings()).anyMatch(w -> w.contains("btrfs subvolume") && w.contains("ext4"));
    }

    @Test
    void missingRootPartitionInTheDescribedImageIsWarnedAbout() throws IOException {
        StoragePlan plan = plan("", "{ \"name\": \"nbd0\", \"size\": \"8G\", \"table\": \"gpt\", \"partitions\": [] }");
        assertThat(plan.warnings()).anyMatch(w -> w.contains("no partition named or labelled \"SLX_SYS\""));
    }

    @Test
    void preparationScriptRunsAfterTheWritableRootExistsAndBeforeTheMount() throws IOException {
        StoragePlan plan = plan("SLX_SYSTEM_PARTITION_PREPARATION_SCRIPT='/usr/local/bin/prep --fast'\n", "");
        List<Step> steps = plan.steps();
        int dm = indexOf(steps, Step.CreateDmDevice.class);
        int run = indexOf(steps, Step.RunProgram.class);
        int mount = steps.indexOf(steps.stream().filter(s -> s instanceof Step.Mount m
                && m.target().equals(Path.of("/sysroot"))).findFirst().orElseThrow());
        assertThat(dm).isLessThan(run);
        assertThat(run).isLessThan(mount);
        assertThat(((Step.RunProgram) steps.get(run)).argv()).containsExactly("/usr/local/bin/prep", "--fast");
    }

    private static int indexOf(List<Step> steps, Class<?> type) {
        for (int i = 0; i < steps.size(); i++) {
            if (type.isInstance(steps.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
