package org.openslx.netboot.stage3.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.stage3.exec.CommandResult;
import org.openslx.netboot.stage3.exec.CommandRunner;
import org.openslx.netboot.stage3.exec.ProcessCommandRunner;

class SysfsMachineProbeTest {
    @TempDir
    Path root;

    /**
     * A sysfs tree laid out like the kernel's (/sys/class/block/* linking to the device directories,
     * partitions inside their disk's directory) and a FAKE blkid that answers from a table: the
     * machine's real disks cannot be described in a test. The real blkid's output format is checked
     * in {@link #realBlkidOutputIsReadWithItsEscapes()}.
     */
    @Test
    void disksPartitionsNamesTypesAndCowHeadersAreRead() throws IOException {
        disk("sda", 2L << 30, Map.of("sda1", 1, "sda2", 2));
        disk("nbd0", 0, Map.of());          // not connected: ignored
        disk("loop0", 1L << 20, Map.of());  // our own loop devices: ignored
        disk("nbd1", 1L << 30, Map.of("nbd1p1", 1));
        Files.writeString(root.resolve("sys/class/dmi/id/product_uuid"), "4C4C4544-0042-3510-8051-B2C04F4E3332\n");
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal:        8012345 kB\nMemFree: 1 kB\n");
        Files.write(root.resolve("dev/sda2"), CowHeader.encode(new CowOwner("ubuntu.qcow2", 3)));
        Map<String, String> blkid = Map.of(
                "/dev/sda", "DEVNAME=/dev/sda\nPTUUID=x\nPTTYPE=gpt\n",
                "/dev/sda1", "DEVNAME=/dev/sda1\nUUID=1\nTYPE=ext4\nLABEL=My\\ Data\nPART_ENTRY_SCHEME=gpt\n"
                        + "PART_ENTRY_NAME=data\nPART_ENTRY_TYPE=0fc63daf-8483-4772-8e79-3d69d8477de4\n",
                "/dev/sda2", "DEVNAME=/dev/sda2\nPART_ENTRY_SCHEME=gpt\nPART_ENTRY_NAME=OpenSLX-ID44\n"
                        + "PART_ENTRY_TYPE=87F86132-FF94-4987-B250-444444444444\n",
                "/dev/nbd1", "PTTYPE=dos\n",
                "/dev/nbd1p1", "TYPE=ext4\nPART_ENTRY_SCHEME=dos\nPART_ENTRY_TYPE=0x44\n");
        CommandRunner fakeBlkid = (argv, env, timeout) -> {
            String out = blkid.get(argv.getLast());
            return new CommandResult(argv, out == null ? 2 : 0, out == null ? "" : out, "");
        };

        Machine machine = new SysfsMachineProbe(root, fakeBlkid, BootClock.virtual()).snapshot();

        assertThat(machine.systemUuid()).contains("4c4c4544-0042-3510-8051-b2c04f4e3332");
        assertThat(machine.memoryKb()).hasValue(8012345);
        assertThat(machine.disks()).extracting(Disk::name).containsExactly("nbd1", "sda");
        Disk sda = machine.disks().get(1);
        assertThat(sda.table()).isEqualTo(PartitionTable.GPT);
        assertThat(sda.sizeBytes()).isEqualTo(2L << 30);
        assertThat(sda.partitions()).containsExactly(
                new Partition("sda1", "sda", 1, 1L << 20, Optional.of("data"),
                        Optional.of("0fc63daf-8483-4772-8e79-3d69d8477de4"), OptionalInt.empty(), Optional.of("ext4"),
                        Optional.of("My Data"), Optional.empty()),
                new Partition("sda2", "sda", 2, 1L << 20, Optional.of("OpenSLX-ID44"),
                        Optional.of("87f86132-ff94-4987-b250-444444444444"), OptionalInt.empty(), Optional.empty(),
                        Optional.empty(), Optional.of(new CowOwner("ubuntu.qcow2", 3))));
        assertThat(machine.disks().getFirst().partitions().getFirst().mbrType()).hasValue(0x44);
    }

    @Test
    void waitingForADiskRunsNoBlkidAndLookingForTheImagePartitionProbesOnlyTheImageDisk() throws IOException {
        disk("sda", 2L << 30, Map.of("sda1", 1));
        disk("nbd0", 1L << 30, Map.of("nbd0p1", 1));
        disk("nbd1", 0, Map.of());
        List<String> probed = new java.util.ArrayList<>();
        CommandRunner fakeBlkid = (argv, env, timeout) -> {
            probed.add(argv.getLast());
            return new CommandResult(argv, argv.getLast().equals("/dev/nbd0p1") ? 0 : 2,
                    argv.getLast().equals("/dev/nbd0p1") ? "PART_ENTRY_NAME=SLX_SYS\nTYPE=ext4\n" : "", "");
        };
        SysfsMachineProbe probe = new SysfsMachineProbe(root, fakeBlkid, BootClock.virtual());

        assertThat(probe.hasDisk(Path.of("/dev/nbd0"))).isTrue();
        assertThat(probe.hasDisk(Path.of("/dev/nbd1"))).as("connected to nothing yet: no size").isFalse();
        assertThat(probe.hasDisk(Path.of("/dev/nbd0p1"))).as("a partition, not a disk").isFalse();
        assertThat(probe.hasDisk(Path.of("/dev/vdz"))).isFalse();
        assertThat(probed).isEmpty();

        Machine machine = probe.snapshotOf(Path.of("/dev/nbd0"));

        assertThat(probed).containsExactly("/dev/nbd0", "/dev/nbd0p1");
        assertThat(machine.disks()).extracting(Disk::name).containsExactly("nbd0");
        assertThat(machine.disks().getFirst().partitions().getFirst().gptName()).contains("SLX_SYS");
    }

    /** The image disk as sgdisk and mkfs.ext4 write it: read by slx's own readers, no blkid at all. */
    @Test
    void theImageDisksGptNamesAndFilesystemsAreReadWithoutBlkid() throws Exception {
        disk("nbd0", 16L << 20, Map.of("nbd0p1", 1));
        Path image = root.resolve("dev/nbd0");
        try (var raf = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(16L << 20);
        }
        ProcessCommandRunner tools = new ProcessCommandRunner();
        CommandResult gpt = tools.run(List.of("sgdisk", "-n", "1:2048:+8M", "-c", "1:SLX_SYS", image.toString()),
                Map.of(), Duration.ofMinutes(1));
        assertThat(gpt.exitCode()).as(gpt.stderr()).isZero();
        CommandResult mkfs = tools.run(List.of("mkfs.ext4", "-q", "-L", "stage4 root", "-E", "offset=1048576",
                image.toString(), "8M"), Map.of(), Duration.ofMinutes(1));
        assertThat(mkfs.exitCode()).as(mkfs.stderr()).isZero();
        List<String> probed = new java.util.ArrayList<>();
        CommandRunner recordingBlkid = (argv, env, timeout) -> {
            probed.add(argv.getLast());
            return new CommandResult(argv, 2, "", "");
        };

        Machine machine = new SysfsMachineProbe(root, recordingBlkid, BootClock.virtual()).snapshotOf(Path.of("/dev/nbd0"));

        assertThat(probed).isEmpty();
        Disk nbd0 = machine.disks().getFirst();
        assertThat(nbd0.table()).isEqualTo(PartitionTable.GPT);
        Partition root = nbd0.partitions().getFirst();
        assertThat(root.gptName()).contains("SLX_SYS");
        assertThat(root.gptType()).contains("0fc63daf-8483-4772-8e79-3d69d8477de4");
        assertThat(root.filesystem()).contains("ext4");
        assertThat(root.label()).contains("stage4 root");
    }

    /** The real peer: blkid on an ext4 image whose label has a blank, read back through BlkidExport. */
    @Test
    void realBlkidOutputIsReadWithItsEscapes() throws Exception {
        Path image = root.resolve("fs.img");
        try (var raf = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(8L << 20);
        }
        CommandResult mkfs = new ProcessCommandRunner().run(List.of("mkfs.ext4", "-q", "-L", "Open SLX", image.toString()),
                Map.of(), Duration.ofMinutes(1));
        assertThat(mkfs.exitCode()).as(mkfs.stderr()).isZero();
        CommandResult blkid = new ProcessCommandRunner().run(List.of("blkid", "-p", "-o", "export", image.toString()),
                Map.of(), Duration.ofMinutes(1));
        assertThat(BlkidExport.parse(blkid.stdout())).containsEntry("TYPE", "ext4").containsEntry("LABEL", "Open SLX");
    }

    @Test
    void placeholderUuidsCountAsUnknown() {
        assertThat(SystemUuid.parse("00000000-0000-0000-0000-000000000000")).isEmpty();
        assertThat(SystemUuid.parse("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")).isEmpty();
        assertThat(SystemUuid.parse("Not Settable")).isEmpty();
    }

    private void disk(String name, long bytes, Map<String, Integer> partitions) throws IOException {
        Path device = Files.createDirectories(root.resolve("sys/devices/virtual/block").resolve(name));
        Files.writeString(device.resolve("size"), String.valueOf(bytes / 512));
        Files.createDirectories(root.resolve("sys/class/block"));
        Files.createDirectories(root.resolve("sys/class/dmi/id"));
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        Files.createSymbolicLink(root.resolve("sys/class/block").resolve(name), device);
        for (Map.Entry<String, Integer> p : partitions.entrySet()) {
            Path part = Files.createDirectories(device.resolve(p.getKey()));
            Files.writeString(part.resolve("size"), String.valueOf((1L << 20) / 512));
            Files.writeString(part.resolve("partition"), p.getValue() + "\n", StandardCharsets.US_ASCII);
            Files.createSymbolicLink(root.resolve("sys/class/block").resolve(p.getKey()), part);
        }
    }
}
