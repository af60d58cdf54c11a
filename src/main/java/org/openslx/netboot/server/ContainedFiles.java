package org.openslx.netboot.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Finds regular files strictly inside one folder, for serving them to the network. A relative
 * name with "." or ".." segments, empty segments, backslashes or control characters is refused
 * before the file system is asked; a file whose real path (symlinks resolved) lies outside the
 * folder is refused after. What remains is a regular file the folder's owner put there.
 */
public final class ContainedFiles {
    private static final Pattern FORBIDDEN_CHARACTER = Pattern.compile("[\\x00-\\x1f\\x7f\\\\]");

    private final Path root;

    public ContainedFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** What became of a lookup. */
    public sealed interface Lookup {
        /** A regular file inside the folder; {@code realPath} has every symlink resolved. */
        record Found(Path realPath) implements Lookup {
        }

        /** No such regular file (a missing file, a folder, a device, a FIFO). */
        record Missing() implements Lookup {
        }

        /** The name or the file it leads to is not acceptable; {@code reason} says why, for the log. */
        record Refused(String reason) implements Lookup {
        }
    }

    /** Whether a '/'-separated relative name is free of traversal tricks (see the class comment). */
    public static String problemWith(String relative) {
        if (relative.isEmpty()) {
            return "empty name";
        }
        if (FORBIDDEN_CHARACTER.matcher(relative).find()) {
            return "backslash or control character in the name";
        }
        if (relative.startsWith("/")) {
            return "absolute name";
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty path segment";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "'" + segment + "' path segment";
            }
        }
        return null;
    }

    public Lookup find(String relative) throws IOException {
        String problem = problemWith(relative);
        if (problem != null) {
            return new Lookup.Refused(problem);
        }
        Path candidate = root.resolve(relative);
        Path real;
        Path realRoot;
        try {
            realRoot = root.toRealPath();
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return new Lookup.Missing();
        }
        if (!real.startsWith(realRoot) || real.equals(realRoot)) {
            return new Lookup.Refused(relative + " leads outside " + root + " (to " + real + ")");
        }
        if (!Files.isRegularFile(real)) {
            return new Lookup.Missing();
        }
        // The real path has no symlinks left, so serving it cannot be redirected by one unless the
        // folder's owner swaps a component in between; that owner can serve anything anyway.
        return new Lookup.Found(real);
    }
}
