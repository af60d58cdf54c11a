package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.openslx.netboot.stage3.machine.BootClock;

/**
 * A device-mapper device's node without waiting for udev: the kernel names it {@code dm-N}
 * ({@code /sys/block/dm-N/dm/name} holds its dm name) and devtmpfs creates {@code /dev/dm-N}
 * as the device appears. {@code /dev/mapper/NAME} is then the link udev's 10-dm.rules make,
 * {@code ../dm-N}; when udev gets there it puts the same link in place.
 */
final class DeviceMapperNode {
    private static final Duration POLL = Duration.ofMillis(20);

    private DeviceMapperNode() {
    }

    /** Waits for the node of dm device {@code name} under {@code root}; returns {@code /dev/dm-N}. */
    static Path await(Path root, String name, BootClock clock, Duration timeout) throws IOException {
        Duration start = clock.elapsed();
        while (true) {
            Optional<String> kernelName = kernelName(root, name);
            if (kernelName.isPresent() && Files.exists(root.resolve("dev").resolve(kernelName.get()))) {
                link(root, name, kernelName.get());
                return Path.of("/dev", kernelName.get());
            }
            if (clock.elapsed().minus(start).compareTo(timeout) >= 0) {
                throw new IOException(kernelName.map(k -> "/dev/" + k + " (device-mapper device " + name
                        + ") did not appear").orElse("the kernel has no device-mapper device named " + name)
                        + " within " + timeout.toSeconds() + " s after dmsetup created it");
            }
            try {
                clock.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for /dev/mapper/" + name, e);
            }
        }
    }

    private static void link(Path root, String name, String kernelName) throws IOException {
        Path link = root.resolve("dev/mapper").resolve(name);
        if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            return; // udev (or dmsetup itself) was quicker
        }
        Files.createDirectories(link.getParent());
        try {
            Files.createSymbolicLink(link, Path.of("..", kernelName));
        } catch (FileAlreadyExistsException e) {
            // udev made it in the meantime: the same link
        }
    }

    private static Optional<String> kernelName(Path root, String name) throws IOException {
        Path block = root.resolve("sys/block");
        if (!Files.isDirectory(block)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(block, "dm-*")) {
            for (Path device : devices) {
                Path nameFile = device.resolve("dm/name");
                if (Files.isRegularFile(nameFile) && Files.readString(nameFile).strip().equals(name)) {
                    return Optional.of(device.getFileName().toString());
                }
            }
        }
        return Optional.empty();
    }
}
