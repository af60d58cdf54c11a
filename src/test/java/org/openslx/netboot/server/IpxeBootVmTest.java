package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real network boot: qemu's virtio-net option ROM is iPXE; DHCP from qemu's user network hands
 * it the URL of boot.ipxe on slx server, and the kernel it loads prints the command line the
 * script built from iPXE's variables. Only that line is checked; booting on is the boot issue's.
 */
@Tag("vm")
class IpxeBootVmTest {
    private static final String MAC = "52:54:00:12:34:56";

    @TempDir
    Path tmp;

    @Test
    void ipxeBootsTheKernelWithTheIpappend3LineBuiltFromItsOwnVariables() throws Exception {
        Path kernel;
        try (Stream<Path> boot = Files.list(Path.of("/boot"))) {
            kernel = boot.filter(p -> p.getFileName().toString().matches("vmlinuz-.*-cloud-amd64")).sorted()
                    .reduce((a, b) -> b).orElse(null);
        }
        assumeTrue(kernel != null, "a Debian cloud kernel in /boot (scripts/install-deps.sh installs it)");

        Path data = tmp.resolve("srv");
        FolderInit.run(data, "default", "10.0.2.2");
        Path base = data.resolve("boot/default");
        Files.copy(kernel, base.resolve("kernel"));
        Files.write(base.resolve("initrd"), emptyCpioArchive());
        Files.writeString(base.resolve("cmdline"), "console=ttyS0\npanic=-1\n", StandardOpenOption.APPEND);

        // No --public-address: the script takes the server from the Host header iPXE sends.
        try (BootServer server = BootServer.start(new BootServer.Options(data,
                List.of(new InetSocketAddress("127.0.0.1", 0)), null), Dnbd3Services::forStore)) {
            int port = server.boundAddresses().getFirst().getPort();
            Process qemu = new ProcessBuilder("qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-nographic",
                    "-nodefaults", "-serial", "mon:stdio", "-boot", "n", "-no-reboot",
                    "-netdev", "user,id=n0,bootfile=http://10.0.2.2:" + port + "/default/boot.ipxe",
                    "-device", "virtio-net-pci,netdev=n0,mac=" + MAC)
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            StringBuilder console = new StringBuilder();
            try {
                CompletableFuture<String> commandLine = CompletableFuture.supplyAsync(() -> firstCommandLine(qemu, console));
                String line = commandLine.get(300, TimeUnit.SECONDS);
                assertThat(line).as("console:%n%s", console).isNotNull();
                assertThat(line).contains("Command line: initrd=initrd slxsrv=10.0.2.2:" + port + " slxbase=default"
                        + " ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0 BOOTIF=01-52-54-00-12-34-56"
                        + " console=ttyS0 panic=-1");
            } finally {
                qemu.destroyForcibly();
                qemu.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads the console until the kernel prints its command line; null if qemu ends first. */
    private static String firstCommandLine(Process qemu, StringBuilder console) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (console) {
                    console.append(line).append('\n');
                }
                int at = line.indexOf("Command line: ");
                if (at >= 0) {
                    return line.substring(at).strip();
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A valid initramfs with nothing in it: one "TRAILER!!!" entry of the newc cpio format. */
    private static byte[] emptyCpioArchive() {
        String name = "TRAILER!!!";
        StringBuilder header = new StringBuilder("070701");
        long[] fields = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, name.length() + 1, 0};
        for (long field : fields) {
            header.append(String.format("%08x", field));
        }
        header.append(name).append('\0');
        while (header.length() % 4 != 0) {
            header.append('\0');
        }
        byte[] archive = new byte[512];
        byte[] bytes = header.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, archive, 0, bytes.length);
        return archive;
    }
}
