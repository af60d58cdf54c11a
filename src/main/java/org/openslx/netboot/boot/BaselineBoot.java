package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmark's baseline: the same stage4 disk booted by dracut's own {@code 95nbd} module
 * from a raw export by qemu-nbd, same VM and kernel. dracut's {@code network-legacy} module does
 * the networking (its {@code systemd-networkd} handler never runs the online hooks 95nbd needs in
 * dracut 059), in dracut's shell mode.
 */
public final class BaselineBoot {
    private BaselineBoot() {
    }

    /** Builds (or reuses) the baseline initramfs for this kernel in {@code dir}. */
    public static Path initramfs(Kernel kernel, Path dir) throws IOException {
        Path image = dir.resolve("baseline-" + kernel.version() + ".img");
        if (!Files.exists(image)) {
            Path partial = dir.resolve(image.getFileName() + ".partial");
            new Dracut(dir)
                    .modules("base", "nbd", "network-legacy")
                    .drivers("virtio_net", "virtio_pci")
                    .build(kernel, partial);
            Files.move(partial, image);
        }
        return image;
    }

    /** The kernel line: DHCP, the disk's first partition on nbd0, read-write. */
    public static String kernelCommandLine(int nbdPort) {
        return "console=ttyS0 panic=5 rd.retry=40 ip=dhcp root=/dev/nbd0p1 rw netroot=nbd:"
                + QemuClient.HOST_FROM_GUEST + ":" + nbdPort;
    }
}
