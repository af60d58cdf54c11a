package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.ExternalCommand;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.block.qcow2.Qcow2Options;
import org.openslx.netboot.cli.Main;
import org.openslx.netboot.dnbd3.server.AltServers;
import org.openslx.netboot.dnbd3.server.Dnbd3Server;
import org.openslx.netboot.net.PortListener;

/**
 * A qcow2 image served by our dnbd3 server, opened as a CLI SOURCE by its dnbd3:// URL: the
 * qcow2 decoder wraps the dnbd3 client, and the guest view equals what qemu-img makes of the file.
 */
class Dnbd3QcowSourceTest {
    @TempDir
    Path dir;

    @Test
    void aQcow2ImageOverDnbd3ReadsAsQemuImgConvertsIt() throws Exception {
        Path base = Files.createDirectories(dir.resolve("base"));
        Path image = base.resolve("disk.qcow2.r1");
        ExternalCommand.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M");
        ExternalCommand.run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 1M 3M", "-c", "write -P 0x11 40M 600k",
                "-c", "write -z 2M 64k", image.toString());
        Path raw = dir.resolve("disk.raw");
        ExternalCommand.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString());
        byte[] expected = Files.readAllBytes(raw);

        try (Dnbd3Server server = Dnbd3Server.start(base, AltServers.none(), Dnbd3Server.Settings.DEFAULT);
             PortListener listener = server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), false)) {
            String url = "dnbd3://127.0.0.1:" + listener.boundAddresses().getFirst().getPort() + "/disk.qcow2";
            try (BlockSource disk = Sources.openDisk(url, Qcow2Options.DEFAULTS)) {
                assertThat(disk.size()).isEqualTo(64L << 20);
                assertThat(disk.describe()).contains(url);
                ByteBuffer all = ByteBuffer.allocate((int) disk.size());
                disk.read(all, 0);
                assertThat(all.array()).isEqualTo(expected);
            }

            PrintStream stdout = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            int exit;
            try {
                System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
                exit = Main.run("image", "info", url);
            } finally {
                System.setOut(stdout);
            }
            assertThat(exit).isZero();
            assertThat(captured.toString(StandardCharsets.UTF_8)).contains("qcow2");
        }
    }
}
