package org.openslx.netboot.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.openslx.netboot.server.BootServer;
import org.openslx.netboot.server.DataFolder;
import org.openslx.netboot.server.Dnbd3Services;
import org.openslx.netboot.server.FolderInit;
import org.openslx.netboot.server.ImageImport;
import org.openslx.netboot.server.StoreFiles;

/**
 * A boot site on the host's loopback for the demo and the end-to-end tests: a {@code slx server}
 * data folder (laid out by {@code slx server init}) with the stage4 image added as a revision,
 * the kernel and our initramfs, and the boot server running on it. The guest reaches it at
 * 10.0.2.2 on the same port.
 */
public final class BootSite implements AutoCloseable {
    public static final String BASE = "default";
    public static final String IMAGE_NAME = "stage4.qcow2";

    private final Path data;
    private final int port;
    private final BootServer server;

    private BootSite(Path data, int port, BootServer server) {
        this.data = data;
        this.port = port;
        this.server = server;
    }

    /**
     * Lays out {@code data} afresh and starts serving it.
     *
     * @param configOverrides SLX_* variables to set in the config (e.g. the RAM disk size)
     */
    public static BootSite start(Path data, Stage4Image image, Kernel kernel, Path initrd,
            Map<String, String> configOverrides) throws IOException {
        Dracut.deleteTree(data);
        // The port goes into the config (SLX_DNBD3_SERVERS) before the server runs; a port just
        // released by the kernel is free for the moment it takes to bind it again.
        int port = QemuNbd.freePort();
        String guestView = QemuClient.HOST_FROM_GUEST + ":" + port;
        FolderInit.run(data, BASE, guestView);
        DataFolder folder = new DataFolder(data);
        ImageImport.add(new StoreFiles(folder.images()), image.qcow2(), IMAGE_NAME, 1, (phase, done, total) -> { });
        Path base = folder.base(BASE);
        Files.copy(kernel.image(), base.resolve(DataFolder.KERNEL), StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(base.resolve(DataFolder.INITRD));
        Files.createLink(base.resolve(DataFolder.INITRD), initrd);
        setConfig(base.resolve(DataFolder.CONFIG), configOverrides);
        BootServer server = BootServer.start(new BootServer.Options(data,
                List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)), null), Dnbd3Services::forStore);
        return new BootSite(data, port, server);
    }

    /** Replaces (or appends) {@code NAME='value'} lines in the config. */
    static void setConfig(Path config, Map<String, String> values) throws IOException {
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(config));
        for (var entry : values.entrySet()) {
            String line = entry.getKey() + "='" + entry.getValue() + "'";
            boolean replaced = false;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(entry.getKey() + "=")) {
                    lines.set(i, line);
                    replaced = true;
                }
            }
            if (!replaced) {
                lines.add(line);
            }
        }
        Files.write(config, lines);
    }

    /** Changes variables in the served config; the server reads it per request. */
    public void setConfig(Map<String, String> values) throws IOException {
        setConfig(config(), values);
    }

    /** Adds the image again as another revision (a roll-out) and returns its RID. */
    public int addRevision(Path qcow2) throws IOException {
        DataFolder folder = new DataFolder(data);
        return ImageImport.add(new StoreFiles(folder.images()), qcow2, IMAGE_NAME, 0, (phase, done, total) -> { }).rid();
    }

    public Path data() {
        return data;
    }

    public int port() {
        return port;
    }

    /** {@code slxsrv=} as the guest must give it. */
    public String serverForGuest() {
        return QemuClient.HOST_FROM_GUEST + ":" + port;
    }

    /** The boot server's config file for this site's base. */
    public Path config() {
        return new DataFolder(data).base(BASE).resolve(DataFolder.CONFIG);
    }

    /** The PXE-style kernel line PXELINUX IPAPPEND 3 would give the client on qemu's user network. */
    public String pxeKernelLine(String extra) {
        return "console=ttyS0 panic=5 rd.retry=300 slxsrv=" + serverForGuest() + " slxbase=" + BASE
                + " ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0 BOOTIF=01-52-54-00-12-34-56"
                + (extra.isEmpty() ? "" : " " + extra);
    }

    /** A kernel line without a PXE address: the client asks DHCP (qemu's user network answers). */
    public String dhcpKernelLine(String extra) {
        return "console=ttyS0 panic=5 rd.retry=300 slxsrv=" + serverForGuest() + " slxbase=" + BASE
                + " ip=dhcp BOOTIF=01-52-54-00-12-34-56" + (extra.isEmpty() ? "" : " " + extra);
    }

    private boolean closed;

    /** Stops the server (closing every client connection); a second call does nothing. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            server.close();
        }
    }
}
