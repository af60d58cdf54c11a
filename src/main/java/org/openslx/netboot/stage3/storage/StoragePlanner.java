package org.openslx.netboot.stage3.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.openslx.netboot.stage3.cmdline.DebugSwitches;
import org.openslx.netboot.stage3.config.SlxConfig;
import org.openslx.netboot.stage3.machine.BootClock;
import org.openslx.netboot.stage3.machine.CowHeader;
import org.openslx.netboot.stage3.machine.CowOwner;
import org.openslx.netboot.stage3.machine.Machine;
import org.openslx.netboot.stage3.machine.MachineSource;
import org.openslx.netboot.stage3.machine.Partition;
import org.openslx.netboot.util.ByteSizes;
import org.openslx.netboot.stage3.plan.CowState;
import org.openslx.netboot.stage3.plan.Slots;
import org.openslx.netboot.stage3.plan.Step;

/**
 * Plans the storage half of the boot from the config and the machine:
 * <ol>
 *   <li>load nbd, dm-snapshot and loop; attach the image (the root daemon serves its raw view on
 *       {@code SLX_DNBD3_DEVICE}) and find the root partition by {@code SLX_SYSTEM_PARTITION_IDENTIFIER},
 *       in the background while the copy-on-write store is set up;</li>
 *   <li>choose the copy-on-write store: the ID44 partition (waiting for it up to
 *       {@code SLX_WRITABLE_DEVICE_IDENTIFIER_TIMEOUT_IN_SECONDS}), whole or as a file on its
 *       filesystem, else RAM. A disk store that fails while the boot runs falls back to RAM, loudly;</li>
 *   <li>{@code dmsetup create slx-root} with a snapshot table like dmsquash-live's:
 *       {@code 0 <sectors> snapshot <root> <cow> P|N 8} (chunks of 8 sectors = 4 KiB; P only for a
 *       persistent disk store);</li>
 *   <li>run {@code SLX_SYSTEM_PARTITION_PREPARATION_SCRIPT}, then mount /dev/mapper/slx-root on
 *       /sysroot with {@code SLX_MOUNT_ROOT_OPTIONS}.</li>
 * </ol>
 * Persistent stores are bound to image name and RID: a whole partition by {@link CowHeader}, a file
 * by a {@code .owner} file beside it. RID 0 ("newest") cannot be bound, so it never persists.
 */
public final class StoragePlanner {
    /** A smaller disk store fills within minutes of normal use, and a full snapshot fails every write. */
    public static final long MINIMUM_DISK_COW_BYTES = 256L << 20;
    /** Kept free on the ID44 filesystem beside a copy-on-write file. */
    public static final long FILE_RESERVE_BYTES = 16L << 20;
    static final Duration IMAGE_TIMEOUT = Duration.ofSeconds(60);
    static final Path RAM_DIR = Path.of("/run/openslx/cow-ram");
    static final Path DISK_DIR = Path.of("/run/openslx/cow-disk");
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final String ATTACH_IMAGE = "attach the image and find its root partition";

    private final SlxConfig config;
    private final MachineSource machine;
    private final DebugSwitches debug;
    private final boolean waitForDevices;
    private final Consumer<String> log;
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param waitForDevices false for a dry run on a real machine: look once instead of waiting
     */
    public StoragePlanner(SlxConfig config, MachineSource machine, DebugSwitches debug, boolean waitForDevices,
                          Consumer<String> log) {
        this.config = config;
        this.machine = machine;
        this.debug = debug;
        this.waitForDevices = waitForDevices;
        this.log = log;
    }

    public StoragePlan plan() throws IOException {
        config.imageDeviceNote().ifPresent(warnings::add);
        List<Step> steps = new ArrayList<>();
        steps.add(new Step.LoadKernelModule("nbd", List.of()));
        steps.add(new Step.LoadKernelModule("dm-snapshot", List.of()));
        steps.add(new Step.LoadKernelModule("loop", List.of()));
        Path imageDevice = config.imageDevice();
        // The image's attach waits on the network and the kernel's partition scan; the copy-on-write
        // store needs neither, so it is set up meanwhile (seconds in a slow client).
        steps.add(new Step.InBackground(ATTACH_IMAGE, List.of(
                new Step.AttachImage(config.allServers(), config.image(), config.rid(), imageDevice),
                new Step.WaitForDevice(imageDevice, IMAGE_TIMEOUT),
                new Step.FindImagePartition(imageDevice, config.systemPartitionIdentifier(), IMAGE_TIMEOUT))));

        Machine now = machine.snapshot();
        RootChoice root = rootChoice(now);
        CowSetup cow = chooseCow();
        steps.addAll(cow.steps);
        steps.add(new Step.AwaitBackground(ATTACH_IMAGE));

        String kind = cow.persistent ? "P" : "N";
        String table = "0 " + Slots.ref(Slots.ROOT_SECTORS) + " snapshot " + Slots.ref(Slots.ROOT) + " "
                + Slots.ref(Slots.COW) + " " + Slots.ref(Slots.COW_PERSISTENCE) + " 8";
        Optional<String> expected = root.expectedSectors().map(sectors -> "0 " + sectors + " snapshot "
                + root.expected().map(p -> p.device().toString()).orElse(imageDevice.toString()) + " "
                + cow.knownDevice.orElse(Slots.ref(Slots.COW)) + " " + kind + " 8");
        steps.add(new Step.CreateDmDevice(StoragePlan.ROOT_DM_NAME, table));

        if (!config.systemPartitionPreparationScript().isEmpty()) {
            steps.add(new Step.RunProgram("SLX_SYSTEM_PARTITION_PREPARATION_SCRIPT",
                    config.systemPartitionPreparationScript(),
                    Map.of("SLX_ROOT_DEVICE", StoragePlan.ROOT_DEVICE, "SLX_SYSTEM_PARTITION", Slots.ref(Slots.ROOT)),
                    false));
        }
        steps.add(new Step.MakeDirectory(Path.of(StoragePlan.SYSROOT)));
        steps.add(new Step.Mount(StoragePlan.ROOT_DEVICE, Path.of(StoragePlan.SYSROOT), Optional.empty(),
                config.mountRootOptions()));
        if (config.mountRootOptions().stream().anyMatch(o -> o.contains("subvol=")) && root.expected().isPresent()
                && root.expected().get().filesystem().filter(f -> !f.equals("btrfs")).isPresent()) {
            warnings.add("SLX_MOUNT_ROOT_OPTIONS asks for a btrfs subvolume, but the root partition is "
                    + root.expected().get().filesystem().get() + ": the mount will fail");
        }
        return new StoragePlan(root, cow.choice, cow.persistent, table, expected, steps, warnings);
    }

    private RootChoice rootChoice(Machine now) {
        Path imageDevice = config.imageDevice();
        Optional<PartitionFinder.ImagePartition> found =
                PartitionFinder.image(now, imageDevice, config.systemPartitionIdentifier());
        if (now.disk(imageDevice).isPresent() && found.isEmpty()) {
            warnings.add("the image on " + imageDevice + " has no partition named or labelled \""
                    + config.systemPartitionIdentifier().orElse("") + "\": finding the root will fail");
        }
        return new RootChoice(imageDevice, config.systemPartitionIdentifier(),
                found.flatMap(PartitionFinder.ImagePartition::partition), found.map(PartitionFinder.ImagePartition::sectors));
    }

    private record CowSetup(CowChoice choice, boolean persistent, List<Step> steps, Optional<String> knownDevice) {
    }

    private CowSetup chooseCow() throws IOException {
        if (debug.forceRamCow()) {
            return ram("slx.cow=ram on the kernel command line", false);
        }
        Optional<PartitionFinder.WritableMatch> match = waitForWritable();
        if (match.isEmpty()) {
            String reason = "no ID44 partition" + config.writableDeviceIdentifier().map(n -> " (GPT name \"" + n + "\",")
                    .orElse(" (") + " type " + PartitionFinder.ID44_GPT_TYPE + " or MBR 0x44)"
                    + (waitForDevices ? " appeared within " + config.writableDeviceTimeout().toSeconds() + " s"
                    : " is present now (the boot waits up to " + config.writableDeviceTimeout().toSeconds() + " s)");
            return ram(reason, true);
        }
        Partition partition = match.get().partition();
        if (!match.get().others().isEmpty()) {
            warnings.add("several ID44 partitions match; using " + partition.device() + ", not "
                    + match.get().others().stream().map(p -> p.device().toString()).toList());
        }
        if (partition.sizeBytes() < MINIMUM_DISK_COW_BYTES) {
            return ram("the ID44 partition " + partition.device() + " is only " + ByteSizes.format(partition.sizeBytes())
                    + ", less than the " + ByteSizes.format(MINIMUM_DISK_COW_BYTES) + " a copy-on-write store needs", true);
        }
        boolean persistent = config.persistent();
        if (persistent && config.rid() == 0) {
            warnings.add("SLX_WRITABLE_DEVICE_PERSISTENT=yes needs a fixed SLX_DNBD3_RID: with RID 0 (newest) the data"
                    + " could be applied to another revision, so this boot's copy-on-write layer is not persistent");
            persistent = false;
        }
        CowOwner owner = new CowOwner(config.image(), config.rid());
        CowSetup disk = config.cowFilePath().isPresent()
                ? fileOnPartition(partition, owner, persistent)
                : wholePartition(partition, owner, persistent);
        if (disk == null) {
            return ram("the ID44 partition " + partition.device() + " has no filesystem and"
                    + " SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CREATE_COMMAND is empty", true);
        }
        CowSetup ram = ram("setting up the ID44 partition failed", false);
        Step fallback = new Step.WithFallback("set up the copy-on-write layer on " + partition.device(),
                disk.steps, ram.steps);
        return new CowSetup(disk.choice, disk.persistent, List.of(fallback), disk.knownDevice);
    }

    private Optional<PartitionFinder.WritableMatch> waitForWritable() throws IOException {
        BootClock clock = machine.clock();
        Duration start = clock.elapsed();
        Duration timeout = config.writableDeviceTimeout();
        while (true) {
            Optional<PartitionFinder.WritableMatch> match =
                    PartitionFinder.writable(machine.snapshot(), config.writableDeviceIdentifier(), config.imageDevice());
            Duration waited = clock.elapsed().minus(start);
            if (match.isPresent()) {
                if (!waited.isZero()) {
                    log.accept("the ID44 partition " + match.get().partition().device() + " appeared after "
                            + waited.toSeconds() + " s");
                    warnings.add("the ID44 partition " + match.get().partition().device() + " appeared only after "
                            + waited.toSeconds() + " s of waiting");
                }
                return match;
            }
            if (!waitForDevices || waited.compareTo(timeout) >= 0) {
                return Optional.empty();
            }
            Duration left = timeout.minus(waited);
            try {
                clock.sleep(left.compareTo(POLL) < 0 ? left : POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the ID44 partition");
            }
        }
    }

    private CowSetup ram(String reason, boolean warn) {
        long kb = config.ramdiskSizeKb();
        if (warn) {
            warnings.add(reason + ": COW in RAM, " + kb + " KB");
            log.accept("WARNING: " + reason + ": the copy-on-write layer goes into RAM (" + kb + " KB)");
        }
        machineMemoryWarning(kb);
        Path file = RAM_DIR.resolve("cow.img");
        List<Step> steps = List.of(
                new Step.MakeDirectory(RAM_DIR),
                new Step.Mount("tmpfs", RAM_DIR, Optional.of("tmpfs"), List.of("-o", "size=" + (kb + 1024) + "k,mode=0700")),
                new Step.CreateCowFile(file, kb * 1024, 0, Optional.empty()),
                new Step.AttachLoopDevice(file, Slots.COW),
                new Step.RecordCowState(new CowState("ram", file.toString(), false, Optional.of(kb), Optional.of(reason))));
        return new CowSetup(new CowChoice.Ram(kb, reason), false, steps, Optional.empty());
    }

    private void machineMemoryWarning(long kb) {
        try {
            machine.snapshot().memoryKb().ifPresent(total -> {
                if (kb > total / 2 && warnings.stream().noneMatch(w -> w.startsWith("SLX_RAMDISK_SIZE_IN_KB"))) {
                    warnings.add("SLX_RAMDISK_SIZE_IN_KB is " + kb + " KB, more than half of this machine's " + total
                            + " KB of RAM: a full copy-on-write layer would starve stage4");
                }
            });
        } catch (IOException e) {
            // memory size unknown: nothing to compare
        }
    }

    private CowSetup wholePartition(Partition partition, CowOwner owner, boolean persistent) {
        List<Step> steps = new ArrayList<>();
        Path device = partition.device();
        if (!persistent) {
            steps.add(new Step.WriteCowHeader(device, Optional.empty()));
            steps.add(new Step.UseDevice(Slots.COW, device, "the ID44 partition, used whole"));
            steps.add(new Step.RecordCowState(new CowState("partition", device.toString(), false,
                    Optional.of(partition.sizeBytes() / 1024), Optional.empty())));
            return new CowSetup(new CowChoice.WholePartition(partition, false, false, Optional.empty()), false, steps,
                    Optional.of(device.toString()));
        }
        boolean reuses = partition.cowOwner().equals(Optional.of(owner));
        Optional<String> note = Optional.empty();
        if (!reuses) {
            note = Optional.of(partition.cowOwner().map(o -> "it holds the data of " + o + ", which is discarded")
                    .orElse("it carries no copy-on-write header yet"));
            steps.add(new Step.ZeroRange(device, CowHeader.DATA_OFFSET_BYTES, CowHeader.HEADER_BYTES));
            steps.add(new Step.WriteCowHeader(device, Optional.of(owner)));
        }
        long dataSectors = (partition.sizeBytes() - CowHeader.DATA_OFFSET_BYTES) / 512;
        steps.add(new Step.CreateDmDevice("slx-cow", "0 " + dataSectors + " linear " + device + " "
                + CowHeader.DATA_OFFSET_BYTES / 512));
        steps.add(new Step.UseDevice(Slots.COW, Path.of("/dev/mapper/slx-cow"),
                "the ID44 partition after its 1 MiB header"));
        steps.add(new Step.RecordCowState(new CowState("partition", device.toString(), true,
                Optional.of(dataSectors / 2), Optional.empty())));
        return new CowSetup(new CowChoice.WholePartition(partition, true, reuses, note), true, steps,
                Optional.of("/dev/mapper/slx-cow"));
    }

    /** Null when the partition has no filesystem and there is no command to create one. */
    private CowSetup fileOnPartition(Partition partition, CowOwner owner, boolean persistent) {
        List<Step> steps = new ArrayList<>();
        Path device = partition.device();
        if (partition.filesystem().isEmpty()) {
            if (config.filesystemCreateCommand().isEmpty()) {
                return null;
            }
            steps.add(new Step.CreateFilesystem(device, config.filesystemCreateCommand()));
        } else if (!config.filesystemCheckCommand().isEmpty()) {
            steps.add(new Step.CheckFilesystem(device, config.filesystemCheckCommand(), config.filesystemCreateCommand()));
        }
        steps.add(new Step.MakeDirectory(DISK_DIR));
        steps.add(new Step.Mount(device.toString(), DISK_DIR, Optional.empty(), List.of()));
        Path file = DISK_DIR.resolve(config.cowFilePath().orElseThrow());
        if (!file.getParent().equals(DISK_DIR)) {
            steps.add(new Step.MakeDirectory(file.getParent()));
        }
        long maxBytes = config.maximumCowFileSizeMb() << 20;
        if (maxBytes > 0 && maxBytes < MINIMUM_DISK_COW_BYTES) {
            warnings.add("SLX_WRITABLE_DEVICE_STORAGE_MAXIMUM_FILE_SIZE_IN_MB is " + config.maximumCowFileSizeMb()
                    + ": a copy-on-write file that small fills quickly");
        }
        steps.add(new Step.CreateCowFile(file, maxBytes, FILE_RESERVE_BYTES,
                persistent ? Optional.of(owner) : Optional.empty()));
        steps.add(new Step.AttachLoopDevice(file, Slots.COW));
        steps.add(new Step.RecordCowState(new CowState("file", file.toString(), persistent, Optional.empty(),
                Optional.empty())));
        return new CowSetup(new CowChoice.FileOnPartition(partition, file, maxBytes, persistent), persistent, steps,
                Optional.empty());
    }
}
