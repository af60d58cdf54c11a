package org.openslx.netboot.dnbd3.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one place that turns a relative name into a file under the base folder. Every file the
 * server opens (images, .crc, .map) goes through {@link #resolve}, which refuses anything whose
 * real path (all symlinks followed) is not inside the base folder's real path.
 */
final class BaseFolder {
    private static final System.Logger LOG = System.getLogger(BaseFolder.class.getName());

    private final Path real;

    BaseFolder(Path base) throws IOException {
        if (!Files.isDirectory(base)) {
            throw new NoSuchFileException(base.toString(), null, "the image base folder does not exist or is no folder");
        }
        this.real = base.toRealPath();
    }

    Path path() {
        return real;
    }

    /**
     * The real path of {@code relative} if it names an existing regular file inside the base
     * folder; empty if it does not exist, is no regular file, or leads outside (logged).
     */
    Optional<Path> resolve(String relative) {
        Path candidate = real.resolve(relative).normalize();
        if (!candidate.startsWith(real) || candidate.equals(real)) {
            LOG.log(System.Logger.Level.WARNING, "refusing " + ImageName.forLog(relative) + ": outside the base folder");
            return Optional.empty();
        }
        if (!Files.isRegularFile(candidate)) {
            return Optional.empty();
        }
        Path target;
        try {
            target = candidate.toRealPath();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!target.startsWith(real)) {
            LOG.log(System.Logger.Level.WARNING, "refusing " + candidate + ": it is a symbolic link to " + target
                    + ", outside the base folder " + real);
            return Optional.empty();
        }
        return Optional.of(target);
    }

    /** The folder that would hold {@code relative}, if it exists inside the base folder. */
    Optional<Path> parentOf(String relative) {
        Path candidate = real.resolve(relative).normalize();
        if (!candidate.startsWith(real) || candidate.equals(real)) {
            return Optional.empty();
        }
        Path parent = candidate.getParent();
        if (!Files.isDirectory(parent)) {
            return Optional.empty();
        }
        try {
            Path target = parent.toRealPath();
            return target.startsWith(real) ? Optional.of(parent) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
