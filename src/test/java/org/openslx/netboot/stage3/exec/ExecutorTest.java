package org.openslx.netboot.stage3.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.stage3.fetch.HttpFetcher;
import org.openslx.netboot.stage3.fetch.RetryPolicy;
import org.openslx.netboot.stage3.machine.CowHeader;
import org.openslx.netboot.stage3.machine.CowOwner;
import org.openslx.netboot.stage3.machine.DescribedMachine;
import org.openslx.netboot.stage3.plan.Stage3Plan;
import org.openslx.netboot.stage3.plan.Stage3Planner;
import org.openslx.netboot.stage3.plan.Step;

/**
 * The executor runs whole plans into a temporary root: every file step for real, the commands
 * that would change the machine through {@link FakeCommandRunner} (a fake, see there), config.tgz
 * from a real local HTTP server, fsck/mkfs as the real e2fsprogs on image files.
 */
class ExecutorTest {
    private static final String IMAGE = """
            { "name": "nbd0", "size": "8G", "table": "gpt",
              "partitions": [ { "number": 1, "size": "6G", "gptName": "SLX_SYS", "filesystem": "ext4" } ] }""";
    private static final String CONFIG = """
            SLX_DNBD3_SERVERS='10.0.0.1 10.0.0.2'
            SLX_DNBD3_IMAGE='ubuntu.qcow2'
            SLX_DNBD3_RID='3'
            SLX_SYSTEM_PARTITION_IDENTIFIER='SLX_SYS'
            SLX_WRITABLE_DEVICE_IDENTIFIER='OpenSLX-ID44'
            SLX_RAMDISK_SIZE_IN_KB='65536'
            SLX_MOUNT_ROOT_OPTIONS='-o noatime'
            SLX_VM_TEMPLATE='kept "as is"'
            """;

    @TempDir
    Path root;
    HttpServer server;
    final List<String> log = new ArrayList<>();
    final FakeCommandRunner commands = new FakeCommandRunner();

    @BeforeEach
    void serveConfigTgz() throws Exception {
        commands.withDeviceMapperIn(root);
        Path tree = Files.createDirectories(root.resolve("../tgz-tree").normalize());
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/motd"), "from config.tgz\n");
        Path tgz = tree.resolveSibling("config.tgz");
        Process tar = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", tree.toString(), "etc").start();
        assertThat(tar.waitFor()).isZero();
        byte[] body = Files.readAllBytes(tgz);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                if (exchange.getRequestURI().getPath().equals("/boot/default/config.tgz")) {
                    exchange.sendResponseHeaders(200, body.length);
                    out.write(body);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String cmdline() {
        return "slxsrv=127.0.0.1:" + server.getAddress().getPort() + " slxbase=boot/default"
                + " ip=10.4.9.77:10.4.9.1:10.4.9.254:255.255.255.0:10.4.9.2 BOOTIF=01-52-54-00-12-34-56";
    }

    private Stage3Plan plan(String config, String disks) throws IOException {
        DescribedMachine machine = DescribedMachine.parse("m.json", "{ \"disks\": [" + disks + "] }");
        return Stage3Planner.plan(cmdline(), "test.config", config, machine, true, log::add);
    }

    private Executor executor(String disks) {
        DescribedMachine machine = DescribedMachine.parse("m.json", "{ \"disks\": [" + disks + "] }");
        HttpFetcher fetcher = new HttpFetcher(new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofMillis(50), Duration.ofMillis(100), 1 << 20), log::add);
        return new Executor(root, commands, machine, ImageAttacher.alreadyAttached(), fetcher, log::add, true);
    }

    @Test
    void kernelModulesAlreadyLoadedAreNotLoadedAgain() throws IOException {
        Files.createDirectories(root.resolve("sys/module/dm_snapshot"));
        Files.createDirectories(root.resolve("sys/module/loop"));

        executor(IMAGE).run(List.of(new Step.LoadKernelModule("nbd", List.of()),
                new Step.LoadKernelModule("dm-snapshot", List.of()),
                new Step.LoadKernelModule("loop", List.of("max_loop=8"))));

        assertThat(commands.programs()).containsExactly("modprobe nbd");
        assertThat(log).contains("dm-snapshot is already loaded", "loop is already loaded");
    }

    /**
     * A deliberate choice: config.tgz that does not exist is skipped, but a server that cannot be
     * reached after the retry budget stops the boot with a clear message. The archive carries the
     * site's settings (authentication, mounts, proxies); a client that boots without them looks
     * fine and behaves wrong, which is worse for an admin than a stop that names the cause.
     */
    @Test
    void anUnreachableConfigTgzServerStopsTheBootWithAMessageNamingIt() throws IOException {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Step fetch = new Step.FetchFile("config.tgz",
                List.of(java.net.URI.create("http://127.0.0.1:" + closedPort + "/boot/default/config.tgz")),
                Path.of("/run/openslx/config.tgz"), true);

        assertThatThrownBy(() -> executor(IMAGE).run(List.of(fetch)))
                .isInstanceOf(StepFailedException.class)
                .hasMessageContaining("could not fetch the config.tgz")
                .hasMessageContaining("connection refused")
                .hasMessageContaining("that the boot server is reachable and serves config.tgz");
        assertThat(root.resolve("run/openslx/config.tgz")).doesNotExist();
    }

    @Test
    void wholeBootPlanWithCowInRamRunsStepByStep() throws IOException {
        Files.createDirectories(root.resolve("sysroot/etc"));
        Files.writeString(root.resolve("sysroot/etc/fstab"), "UUID=1234 / ext4 errors=remount-ro 0 1\nswap none swap sw 0 0\n");
        Files.createDirectories(root.resolve("run/openslx"));
        Files.writeString(root.resolve("run/openslx/stage3.log"), "stage3 log\n");
        Stage3Plan plan = plan(CONFIG, IMAGE);
        Executor executor = executor(IMAGE);

        executor.run(plan.steps());

        String tmpfs = root.resolve("run/openslx/cow-ram").toString();
        assertThat(commands.programs()).containsExactly(
                "modprobe nbd",
                "modprobe dm-snapshot",
                "modprobe loop",
                "mount -o size=66560k,mode=0700 -t tmpfs tmpfs " + tmpfs,
                "losetup --find --show " + tmpfs + "/cow.img",
                "dmsetup create slx-root --noudevsync --table 0 12582912 snapshot /dev/nbd0p1 /dev/loop7 N 8",
                "mount -o noatime " + root.resolve("dev/mapper/slx-root") + " " + root.resolve("sysroot"));
        assertThat(Files.size(root.resolve("run/openslx/cow-ram/cow.img"))).isEqualTo(65536L * 1024);
        assertThat(Files.readString(root.resolve("run/openslx/dmsetup.state")))
                .contains("cow=ram\n").contains("persistent=no\n").contains("reason=no ID44 partition");
        assertThat(Files.readString(root.resolve("sysroot/opt/openslx/openslx"))).isEqualTo(CONFIG);
        assertThat(Files.readString(root.resolve("sysroot/opt/openslx/config")))
                .contains("SLX_VM_TEMPLATE='kept \"as is\"'\n")
                .contains("SLX_PXE_CLIENT_IP='10.4.9.77'\n")
                .contains("SLX_PXE_NETIF='boot0'\n");
        assertThat(Files.readString(root.resolve("sysroot/etc/motd"))).isEqualTo("from config.tgz\n");
        assertThat(Files.readString(root.resolve("sysroot/etc/systemd/network/10-slx-boot.network")))
                .contains("KeepConfiguration=static");
        assertThat(Files.readString(root.resolve("sysroot/etc/NetworkManager/conf.d/10-slx-boot-interface.conf")))
                .contains("unmanaged-devices=interface-name:boot0");
        assertThat(Files.readString(root.resolve("sysroot/etc/fstab"))).isEqualTo("""
                # Written by slx-netboot stage3: the root is the copy-on-write device.
                /dev/mapper/slx-root / ext4 noatime 0 0

                # From the image:
                # replaced by slx-netboot stage3: UUID=1234 / ext4 errors=remount-ro 0 1
                swap none swap sw 0 0
                """);
        assertThat(Files.readSymbolicLink(root.resolve("sysroot/etc/systemd/system/sysinit.target.wants/slx-root-daemon.service")))
                .isEqualTo(Path.of("../slx-root-daemon.service"));
        assertThat(Files.readString(root.resolve("sysroot/var/log/openslx"))).isEqualTo("stage3 log\n");
        assertThat(executor.slots()).containsEntry("root", "/dev/nbd0p1").containsEntry("cow", "/dev/loop7");
        assertThat(log).anyMatch(l -> l.startsWith("step 1/") && l.endsWith("load kernel module nbd"));
        assertThat(log).anyMatch(l -> l.matches("step 4\\.1/3: attach image .*"));
        assertThat(Files.readSymbolicLink(root.resolve("dev/mapper/slx-root"))).isEqualTo(Path.of("../dm-0"));
    }

    @Test
    void deviceMapperNodeMadeByUdevAlreadyIsKept() throws IOException {
        Files.createDirectories(root.resolve("dev/mapper"));
        Files.createSymbolicLink(root.resolve("dev/mapper/slx-root"), Path.of("../dm-0"));
        executor(IMAGE).run(List.of(new Step.CreateDmDevice("slx-root", "0 8 zero")));
        assertThat(Files.readSymbolicLink(root.resolve("dev/mapper/slx-root"))).isEqualTo(Path.of("../dm-0"));
        assertThat(log).contains("/dev/mapper/slx-root is /dev/dm-0");
    }

    @Test
    void deviceMapperDeviceTheKernelNeverShowsFailsTheStepWithItsName() {
        FakeCommandRunner withoutKernel = new FakeCommandRunner();
        Executor executor = new Executor(root, withoutKernel, DescribedMachine.parse("m.json", "{ \"disks\": [] }"),
                ImageAttacher.alreadyAttached(), null, log::add, false);
        assertThatThrownBy(() -> executor.run(List.of(new Step.CreateDmDevice("slx-root", "0 8 zero"))))
                .isInstanceOf(StepFailedException.class)
                .hasMessageContaining("the kernel has no device-mapper device named slx-root within 30 s");
    }

    @Test
    void backgroundStepsRunWhileTheNextOnesDoAndTheirFailureIsReportedWhereAwaited() {
        Step failing = new Step.WaitForDevice(Path.of("/dev/nbd3"), Duration.ofSeconds(5));
        List<Step> steps = List.of(
                new Step.InBackground("the image", List.of(failing)),
                new Step.MakeDirectory(Path.of("/run/openslx/cow-ram")),
                new Step.AwaitBackground("the image"),
                new Step.MakeDirectory(Path.of("/sysroot")));
        assertThatThrownBy(() -> executor(IMAGE).run(steps))
                .isInstanceOf(StepFailedException.class)
                .hasMessageStartingWith("step 1.1/1 failed: wait up to 5 s for /dev/nbd3: /dev/nbd3 did not appear within 5 s");
        assertThat(root.resolve("run/openslx/cow-ram")).isDirectory();
        assertThat(root.resolve("sysroot")).doesNotExist();
    }

    @Test
    void firstFailureStopsTheRunAndSaysWhatToCheck() throws IOException {
        commands.failWhen(argv -> argv.getFirst().equals("dmsetup"), "device-mapper: reload ioctl on slx-root failed");
        Stage3Plan plan = plan(CONFIG, IMAGE);
        assertThatThrownBy(() -> executor(IMAGE).run(plan.steps()))
                .isInstanceOf(StepFailedException.class)
                .hasMessageMatching("step \\d+/\\d+ failed: create device-mapper device /dev/mapper/slx-root: .*")
                .hasMessageContaining("dmsetup exited with 1 (device-mapper: reload ioctl on slx-root failed)")
                .hasMessageContaining("Check that dm-snapshot is loaded");
        assertThat(commands.programs()).noneMatch(p -> p.contains("slx-root /"));
        assertThat(root.resolve("sysroot/opt/openslx/config")).doesNotExist();
    }

    @Test
    void imageWithoutTheRootPartitionFailsAtFindingIt() throws IOException {
        Stage3Plan plan = plan(CONFIG, "");
        String emptyImage = "{ \"name\": \"nbd0\", \"size\": \"8G\", \"table\": \"gpt\", \"partitions\": [] }";
        assertThatThrownBy(() -> executor(emptyImage).run(plan.steps()))
                .hasMessageContaining("no partition named or labelled \"SLX_SYS\" on /dev/nbd0 within 60 s")
                .hasMessageContaining("Check the image's partitions");
    }

    @Test
    void brokenId44SetupFallsBackToRamLoudlyAndRecordsWhy() throws IOException {
        String id44 = "{ \"name\": \"sda\", \"size\": \"64G\", \"table\": \"gpt\", \"partitions\": ["
                + " { \"number\": 3, \"size\": \"20G\", \"gptName\": \"OpenSLX-ID44\" } ] }";
        Stage3Plan plan = plan(CONFIG, id44 + "," + IMAGE);
        // /dev/sda3 does not exist under the test root, so wiping its header fails: the disk path breaks.
        executor(id44 + "," + IMAGE).run(plan.steps());
        assertThat(log).anyMatch(l -> l.startsWith("WARNING: set up the copy-on-write layer on /dev/sda3 failed; falling back."));
        assertThat(Files.readString(root.resolve("run/openslx/dmsetup.state")))
                .contains("cow=ram")
                .containsPattern("reason=fell back at run time: step \\d+\\.1/3 failed: wipe any copy-on-write header on"
                        + " /dev/sda3 .*: \\S+/dev/sda3 does not exist");
        assertThat(commands.programs()).contains("dmsetup create slx-root --noudevsync --table 0 12582912 snapshot /dev/nbd0p1 /dev/loop7 N 8");
    }

    @Test
    void wholePartitionPersistentStoreGetsItsHeaderAndALinearMapping() throws IOException {
        String id44 = "{ \"name\": \"sda\", \"size\": \"64G\", \"table\": \"gpt\", \"partitions\": ["
                + " { \"number\": 3, \"size\": \"20G\", \"gptName\": \"OpenSLX-ID44\" } ] }";
        Path partition = Files.createDirectories(root.resolve("dev")).resolve("sda3");
        Files.write(partition, new byte[2 << 20]);
        Files.write(partition, new byte[] {'S', 'n', 'A', 'p'}, java.nio.file.StandardOpenOption.WRITE);
        Stage3Plan plan = plan(CONFIG + "SLX_WRITABLE_DEVICE_PERSISTENT=yes\n", id44 + "," + IMAGE);
        executor(id44 + "," + IMAGE).run(plan.steps());
        byte[] start = Files.readAllBytes(partition);
        assertThat(CowHeader.decode(start)).contains(new CowOwner("ubuntu.qcow2", 3));
        assertThat(java.util.Arrays.copyOfRange(start, 1 << 20, (1 << 20) + 4096)).containsOnly(0);
        assertThat(commands.programs()).contains(
                "dmsetup create slx-cow --noudevsync --table 0 41940992 linear /dev/sda3 2048",
                "dmsetup create slx-root --noudevsync --table 0 12582912 snapshot /dev/nbd0p1 /dev/mapper/slx-cow P 8");
    }

    @Test
    void persistentCowFileIsKeptForTheSameImageAndRidAndReplacedForAnother() throws IOException {
        Path dir = Files.createDirectories(root.resolve("run/openslx/cow-disk/slx"));
        Path file = dir.resolve("cow.img");
        Executor executor = executor("");
        Step same = new Step.CreateCowFile(Path.of("/run/openslx/cow-disk/slx/cow.img"), 64L << 20, 0,
                Optional.of(new CowOwner("ubuntu.qcow2", 3)));
        executor.run(List.of(same));
        assertThat(Files.size(file)).isEqualTo(64L << 20);
        Files.write(file, new byte[] {42}, java.nio.file.StandardOpenOption.WRITE);

        executor.run(List.of(same));
        assertThat(Files.readAllBytes(file)[0]).isEqualTo((byte) 42);
        assertThat(log).anyMatch(l -> l.startsWith("reusing the copy-on-write file"));

        Step otherRid = new Step.CreateCowFile(Path.of("/run/openslx/cow-disk/slx/cow.img"), 64L << 20, 0,
                Optional.of(new CowOwner("ubuntu.qcow2", 4)));
        executor.run(List.of(otherRid));
        assertThat(Files.readAllBytes(file)[0]).isZero();
        assertThat(Files.readString(dir.resolve("cow.img.owner"))).contains("rid=4");
    }

    /** Real e2fsprogs on an image file: a missing filesystem fails the check and gets created. */
    @Test
    void filesystemCheckFailureLeadsToCreationWithTheRealTools() throws IOException {
        Path partition = Files.createDirectories(root.resolve("dev")).resolve("sdb1");
        Files.write(partition, new byte[0]);
        try (var raf = new java.io.RandomAccessFile(partition.toFile(), "rw")) {
            raf.setLength(32L << 20);
        }
        Executor real = new Executor(root, new ProcessCommandRunner(), DescribedMachine.parse("m", "{}"),
                ImageAttacher.alreadyAttached(), null, log::add, true);
        Step check = new Step.CheckFilesystem(Path.of("/dev/sdb1"), List.of("fsck.ext4", "-p"),
                List.of("mkfs.ext4", "-q", "-L", "ID44"));
        real.run(List.of(check));
        assertThat(log).anyMatch(l -> l.contains("is broken or missing"));
        log.clear();
        real.run(List.of(check));
        assertThat(log).noneMatch(l -> l.contains("is broken or missing"));
    }

    /** A harmless real program: the fstab script named by the config, found in the image. */
    @Test
    void programsFromTheImageRunWithTheirEnvironment() throws IOException {
        Path script = Files.createDirectories(root.resolve("sysroot/usr/local/bin")).resolve("gen-fstab");
        Files.writeString(script, "#!/bin/sh\nprintf '%s %s' \"$NEWROOT\" \"$SLX_ROOT_DEVICE\" > \"$1\"\n");
        Files.setAttribute(script, "unix:mode", 0755);
        Path out = root.resolve("out.txt");
        Executor real = new Executor(root, new ProcessCommandRunner(), DescribedMachine.parse("m", "{}"),
                ImageAttacher.alreadyAttached(), null, log::add, false);
        real.run(List.of(new Step.RunProgram("SLX_GENERATE_FSTAB_SCRIPT", List.of("/usr/local/bin/gen-fstab", out.toString()),
                java.util.Map.of("NEWROOT", "/sysroot", "SLX_ROOT_DEVICE", "/dev/mapper/slx-root"), true)));
        assertThat(Files.readString(out)).isEqualTo("/sysroot /dev/mapper/slx-root");
        assertThatThrownBy(() -> real.run(List.of(new Step.RunProgram("SLX_SYSTEM_PARTITION_PREPARATION_SCRIPT",
                List.of("/usr/local/bin/missing"), java.util.Map.of(), false))))
                .hasMessageContaining("/usr/local/bin/missing does not exist or is not executable in the initramfs");
    }
}
