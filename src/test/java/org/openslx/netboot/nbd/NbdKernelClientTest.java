package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileSource;

/**
 * The client that matters most: the Linux kernel's nbd driver (simple replies only), set up by
 * nbd-client inside a small qemu VM that reaches the server on the host's loopback through
 * qemu's user network (10.0.2.2). The VM hashes the whole device and an odd byte range; both
 * must match the file.
 */
@Tag("vm")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NbdKernelClientTest {
    private static final long SIZE = 8L * 1024 * 1024;
    private static final Pattern SHA = Pattern.compile("(SLX-[A-Z]+) ([0-9a-f]{64})");

    @TempDir
    Path dir;

    @Test
    void kernelNbdDriverReadsTheExportByteForByte() throws Exception {
        Path kernel = newestCloudKernel();
        String release = kernel.getFileName().toString().substring("vmlinuz-".length());
        Path file = TestFiles.pattern(dir.resolve("disk.raw"), SIZE);
        byte[] data = Files.readAllBytes(file);

        try (BlockSource source = FileSource.openReadOnly(file);
                NbdServer server = new NbdServer(new Export("", source))) {
            int port = server.listenTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();
            Path initrd = buildInitramfs(release, port);
            Path console = dir.resolve("console.log");

            runVm(kernel, initrd, console);

            String output = Files.readString(console);
            Matcher matcher = SHA.matcher(output);
            List<String> lines = new ArrayList<>();
            while (matcher.find()) {
                lines.add(matcher.group(1) + " " + matcher.group(2));
            }
            assertThat(lines).as("hashes reported by the VM; console:%n%s", output).containsExactly(
                    "SLX-WHOLE " + sha256(data, 0, data.length),
                    "SLX-ODD " + sha256(data, 12345, 777 * 1024 + 3));
        }
    }

    private static Path newestCloudKernel() throws IOException {
        Path boot = Path.of("/boot");
        assumeTrue(Files.isDirectory(boot), "no /boot");
        try (Stream<Path> files = Files.list(boot)) {
            Path kernel = files.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                    .filter(Files::isReadable).sorted().reduce((a, b) -> b).orElse(null);
            assumeTrue(kernel != null, "no kernel in /boot (linux-image-cloud-amd64)");
            return kernel;
        }
    }

    /** busybox, nbd-client with its libraries, the modules for virtio-net and nbd, and /init. */
    private Path buildInitramfs(String release, int port) throws IOException, InterruptedException {
        Path root = Files.createDirectories(dir.resolve("initramfs"));
        for (String d : List.of("bin", "dev", "proc", "sys", "modules")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(Path.of("/usr/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        Path nbdClient = Path.of(Tools.run("sh", "-c", "command -v nbd-client").assertSuccess().stdout().strip());
        copyWithLibraries(nbdClient, root);
        Files.copy(nbdClient, root.resolve("bin/nbd-client"), StandardCopyOption.REPLACE_EXISTING);

        List<String> insmods = new ArrayList<>();
        for (String module : moduleLoadOrder(release, List.of("virtio_pci", "virtio_net", "nbd"))) {
            Path ko = Path.of(Tools.run("modinfo", "-k", release, "-F", "filename", module).assertSuccess()
                    .stdout().strip());
            Path target = root.resolve("modules").resolve(ko.getFileName());
            Files.copy(ko, target, StandardCopyOption.REPLACE_EXISTING);
            String name = ko.getFileName().toString();
            insmods.add(name.endsWith(".ko") ? "insmod /modules/" + name
                    : "echo 'compressed module " + name + " not supported by this test'");
        }

        String init = """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                mount -t proc proc /proc
                mount -t sysfs sys /sys
                mount -t devtmpfs dev /dev
                %s
                ip link set lo up
                ip link set eth0 up
                ip addr add 10.0.2.15/24 dev eth0
                nbd-client 10.0.2.2 %d /dev/nbd0 -N '' || echo "SLX-FAILED nbd-client"
                echo "SLX-WHOLE $(sha256sum /dev/nbd0 | cut -d' ' -f1)"
                echo "SLX-ODD $(dd if=/dev/nbd0 bs=1 skip=12345 count=%d 2>/dev/null | sha256sum | cut -d' ' -f1)"
                nbd-client -d /dev/nbd0
                poweroff -f
                """.formatted(String.join("\n", insmods), port, 777 * 1024 + 3);
        Path initScript = root.resolve("init");
        Files.writeString(initScript, init);
        Files.setPosixFilePermissions(initScript, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path initrd = dir.resolve("initrd.cpio");
        Tools.run("sh", "-c", "cd '" + root + "' && find . | cpio -o -H newc --quiet > '" + initrd + "'")
                .assertSuccess();
        return initrd;
    }

    /** The modules with their dependencies, dependencies first. */
    private static List<String> moduleLoadOrder(String release, List<String> wanted)
            throws IOException, InterruptedException {
        Set<String> order = new LinkedHashSet<>();
        for (String module : wanted) {
            addWithDependencies(release, module, order);
        }
        return List.copyOf(order);
    }

    private static void addWithDependencies(String release, String module, Set<String> order)
            throws IOException, InterruptedException {
        if (order.contains(module)) {
            return;
        }
        Tools.Result builtin = Tools.run("sh", "-c", "grep -q '/" + module + ".ko' /lib/modules/" + release
                + "/modules.builtin");
        if (builtin.exitCode() == 0) {
            return;
        }
        String depends = Tools.run("modinfo", "-k", release, "-F", "depends", module).assertSuccess().stdout().strip();
        for (String dependency : depends.split(",")) {
            if (!dependency.isBlank()) {
                addWithDependencies(release, dependency.strip(), order);
            }
        }
        order.add(module);
    }

    /** Copies the shared libraries {@code binary} needs (as ldd lists them) to the same paths under root. */
    private static void copyWithLibraries(Path binary, Path root) throws IOException, InterruptedException {
        String ldd = Tools.run("ldd", binary.toString()).assertSuccess().stdout();
        Matcher library = Pattern.compile("(/\\S+)").matcher(ldd);
        while (library.find()) {
            Path path = Path.of(library.group(1));
            Path target = root.resolve(path.toString().substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(path.toRealPath(), target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void runVm(Path kernel, Path initrd, Path console) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64", "-m", "256", "-display", "none",
                "-no-reboot", "-monitor", "none", "-serial", "file:" + console,
                "-kernel", kernel.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 quiet",
                "-netdev", "user,id=net0", "-device", "virtio-net-pci,netdev=net0"));
        // Plain emulation: boots in seconds, and KVM inside a VM (as on CI machines) can hang or
        // refuse the host CPU model.
        command.addAll(List.of("-accel", "tcg", "-cpu", "max"));
        Tools.Result result;
        try {
            result = Tools.run(command.toArray(String[]::new));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nconsole:\n"
                    + (Files.exists(console) ? Files.readString(console) : ""), e);
        }
        assertThat(result.exitCode()).as("qemu: %s%nconsole:%n%s", result.stderr(),
                Files.exists(console) ? Files.readString(console) : "").isZero();
    }

    private static String sha256(byte[] data, int offset, int length) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(data, offset, length);
        return HexFormat.of().formatHex(digest.digest());
    }
}
