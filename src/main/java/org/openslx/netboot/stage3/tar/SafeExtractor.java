package org.openslx.netboot.stage3.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Extracts a tar(.gz) over a root directory (stage4's /sysroot) so that nothing lands outside it:
 * <ul>
 *   <li>absolute names, {@code ..} components, device nodes, sparse and other unknown members are
 *       refused; the whole archive is checked before anything is written, so a hostile archive
 *       changes nothing;</li>
 *   <li>nothing is written through a symlink the archive itself creates ({@code link -> /etc} then
 *       {@code link/passwd}); symlinks already in the image (merged /usr: {@code lib -> usr/lib}) are
 *       followed as if the root were {@code /}, so even {@code -> /etc} or {@code -> ../..} stay inside
 *       it; an existing symlink in the place of a file is replaced, never written through;</li>
 *   <li>hard links must point at a regular file inside the root;</li>
 *   <li>modes (set-id bits included), numeric owners (like {@code tar --numeric-owner}, since the
 *       image's user names are not the initramfs') and modification times are kept; directory modes
 *       are applied last so a read-only directory does not block its own content. FIFOs are skipped.</li>
 * </ul>
 */
public final class SafeExtractor {
    private static final int MAX_LINK_HOPS = 40;

    /** Bounds against archive bombs. */
    public record Limits(long maxTotalBytes, int maxEntries) {
        public static final Limits DEFAULT = new Limits(2L << 30, 200_000);
    }

    public record Result(int files, int directories, int links, long bytes, List<String> notes) {
    }

    private final Limits limits;
    private final Consumer<String> log;

    public SafeExtractor(Limits limits, Consumer<String> log) {
        this.limits = limits;
        this.log = log;
    }

    /** @throws IOException naming the archive, the entry and what is wrong with it */
    public Result extract(Path archive, Path root) throws IOException {
        String what = archive.getFileName().toString();
        try {
            List<String> notes = validate(archive);
            return new Writer(root.toRealPath(), notes).write(archive);
        } catch (TarFormatException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        } catch (java.io.EOFException | java.util.zip.ZipException e) {
            throw new IOException(what + ": the archive is truncated or damaged (" + e.getMessage() + ")", e);
        } catch (UnsafeEntryException e) {
            throw new IOException(what + ": " + e.getMessage() + "; nothing was extracted", e);
        }
    }

    private static final class UnsafeEntryException extends IOException {
        UnsafeEntryException(String message) {
            super(message);
        }
    }

    /** The first pass: every header checked, nothing written. Returns notes about skipped members. */
    private List<String> validate(Path archive) throws IOException {
        List<String> notes = new ArrayList<>();
        Set<String> archiveSymlinks = new HashSet<>();
        long total = 0;
        int count = 0;
        try (TarReader reader = new TarReader(Files.newInputStream(archive))) {
            for (TarEntry entry = reader.next(); entry != null; entry = reader.next()) {
                if (++count > limits.maxEntries()) {
                    throw new UnsafeEntryException("more than " + limits.maxEntries() + " members");
                }
                total += entry.size();
                if (total > limits.maxTotalBytes()) {
                    throw new UnsafeEntryException("more than " + limits.maxTotalBytes() + " bytes of content");
                }
                switch (entry.type()) {
                    case CHARACTER_DEVICE, BLOCK_DEVICE ->
                            throw new UnsafeEntryException(entry.where() + " is a device node; config.tgz may not create those");
                    case UNSUPPORTED -> throw new UnsafeEntryException(entry.where() + " is of a kind this extractor does not"
                            + " support (sparse, multi-volume...)");
                    case FIFO -> {
                        notes.add(entry.where() + " is a FIFO and was skipped");
                        continue;
                    }
                    default -> {
                        // checked below
                    }
                }
                List<String> path = components(entry.name(), entry);
                if (path.isEmpty()) {
                    continue; // "./": the root itself
                }
                checkNotThroughArchiveSymlink(path, archiveSymlinks, entry, "is written");
                if (entry.type() == TarEntry.Type.HARD_LINK) {
                    List<String> target = components(entry.linkName(), entry);
                    if (target.isEmpty()) {
                        throw new UnsafeEntryException(entry.where() + " is a hard link to the root directory");
                    }
                    checkNotThroughArchiveSymlink(target, archiveSymlinks, entry, "links to a file reached");
                }
                if (entry.type() == TarEntry.Type.SYMLINK) {
                    if (entry.linkName().isEmpty()) {
                        throw new UnsafeEntryException(entry.where() + " is a symlink without a target");
                    }
                    archiveSymlinks.add(String.join("/", path));
                } else {
                    archiveSymlinks.remove(String.join("/", path));
                }
            }
        }
        return notes;
    }

    private static void checkNotThroughArchiveSymlink(List<String> path, Set<String> archiveSymlinks, TarEntry entry,
                                                      String verb) throws UnsafeEntryException {
        for (int i = 1; i < path.size(); i++) {
            String prefix = String.join("/", path.subList(0, i));
            if (archiveSymlinks.contains(prefix)) {
                throw new UnsafeEntryException(entry.where() + " " + verb + " through the symlink \"" + prefix
                        + "\" that the archive itself creates");
            }
        }
    }

    /** A member name as path components: "./a//b/" is [a, b]; absolute names and ".." are refused. */
    static List<String> components(String name, TarEntry entry) throws UnsafeEntryException {
        if (name.startsWith("/")) {
            throw new UnsafeEntryException(entry.where() + ": \"" + name + "\" is an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new UnsafeEntryException(entry.where() + ": \"" + name + "\" contains '..'");
            }
            parts.add(part);
        }
        return parts;
    }

    /** The second pass. */
    private final class Writer {
        private final Path root;
        private final List<String> notes;
        private final Set<Path> createdSymlinks = new HashSet<>();
        private final List<Runnable> directoryAttributes = new ArrayList<>();
        private boolean ownersFailed;
        private int files;
        private int directories;
        private int links;
        private long bytes;

        Writer(Path root, List<String> notes) {
            this.root = root;
            this.notes = notes;
        }

        Result write(Path archive) throws IOException {
            try (TarReader reader = new TarReader(Files.newInputStream(archive))) {
                for (TarEntry entry = reader.next(); entry != null; entry = reader.next()) {
                    List<String> path = components(entry.name(), entry);
                    if (path.isEmpty() || entry.type() == TarEntry.Type.FIFO) {
                        continue;
                    }
                    Path parent = resolve(path.subList(0, path.size() - 1), entry);
                    Path target = parent.resolve(path.getLast());
                    switch (entry.type()) {
                        case FILE -> writeFile(entry, target, reader.content());
                        case DIRECTORY -> makeDirectory(entry, target);
                        case SYMLINK -> makeSymlink(entry, target);
                        case HARD_LINK -> makeHardLink(entry, target);
                        default -> throw new UnsafeEntryException(entry.where() + " cannot be extracted");
                    }
                }
            }
            for (int i = directoryAttributes.size() - 1; i >= 0; i--) {
                directoryAttributes.get(i).run();
            }
            if (ownersFailed) {
                notes.add("owners could not be set (not running as root); files belong to the extracting user");
            }
            notes.forEach(log);
            return new Result(files, directories, links, bytes, List.copyOf(notes));
        }

        private void writeFile(TarEntry entry, Path target, InputStream content) throws IOException {
            removeExistingNonDirectory(entry, target);
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                bytes += content.transferTo(out);
            }
            setOwner(target, entry);
            Files.setAttribute(target, "unix:mode", entry.mode(), LinkOption.NOFOLLOW_LINKS);
            setTime(target, entry);
            files++;
        }

        private void makeDirectory(TarEntry entry, Path target) throws IOException {
            BasicFileAttributes existing = attributes(target);
            if (existing != null && existing.isSymbolicLink() && createdSymlinks.remove(target)) {
                Files.delete(target);
                existing = null;
            }
            if (existing == null) {
                Files.createDirectory(target);
            } else if (existing.isSymbolicLink()) {
                // The image's own symlink (lib -> usr/lib): keep it; the archive's content goes where it points.
                Path real = resolve(relativeComponents(target), entry);
                if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                    throw new UnsafeEntryException(entry.where() + " is a directory, but the image has a symlink to a"
                            + " non-directory there");
                }
                directories++;
                return;
            } else if (!existing.isDirectory()) {
                throw new UnsafeEntryException(entry.where() + " is a directory, but the image has a file there");
            }
            directoryAttributes.add(() -> {
                try {
                    setOwner(target, entry);
                    Files.setAttribute(target, "unix:mode", entry.mode(), LinkOption.NOFOLLOW_LINKS);
                    setTime(target, entry);
                } catch (IOException e) {
                    notes.add(entry.where() + ": attributes not set (" + e.getMessage() + ")");
                }
            });
            directories++;
        }

        private void makeSymlink(TarEntry entry, Path target) throws IOException {
            removeExistingNonDirectory(entry, target);
            Files.createSymbolicLink(target, Path.of(entry.linkName()));
            createdSymlinks.add(target);
            setOwner(target, entry);
            setTime(target, entry);
            links++;
        }

        private void makeHardLink(TarEntry entry, Path target) throws IOException {
            List<String> linkPath = components(entry.linkName(), entry);
            Path existing = resolve(linkPath.subList(0, linkPath.size() - 1), entry).resolve(linkPath.getLast());
            BasicFileAttributes attributes = attributes(existing);
            if (attributes == null || !attributes.isRegularFile()) {
                throw new UnsafeEntryException(entry.where() + " is a hard link to \"" + entry.linkName()
                        + "\", which is not a regular file inside the root");
            }
            removeExistingNonDirectory(entry, target);
            Files.createLink(target, existing);
            links++;
        }

        private void removeExistingNonDirectory(TarEntry entry, Path target) throws IOException {
            BasicFileAttributes existing = attributes(target);
            if (existing == null) {
                return;
            }
            if (existing.isDirectory()) {
                throw new UnsafeEntryException(entry.where() + " would replace a directory of the image");
            }
            Files.delete(target); // a file or a symlink: the link itself goes, its target is untouched
            createdSymlinks.remove(target);
        }

        /**
         * Walks {@code components} from the root like a chroot would: symlinks already in the image are
         * followed, absolute targets start again at the root, ".." stops at the root; missing
         * directories are created. A symlink this archive created is never followed.
         */
        private Path resolve(List<String> components, TarEntry entry) throws IOException {
            Deque<String> todo = new ArrayDeque<>(components);
            Path current = root;
            int hops = 0;
            while (!todo.isEmpty()) {
                String part = todo.pop();
                if (part.isEmpty() || part.equals(".")) {
                    continue;
                }
                if (part.equals("..")) {
                    if (!current.equals(root)) {
                        current = current.getParent();
                    }
                    continue;
                }
                Path next = current.resolve(part);
                BasicFileAttributes attributes = attributes(next);
                if (attributes == null) {
                    Files.createDirectory(next);
                    current = next;
                } else if (attributes.isSymbolicLink()) {
                    if (createdSymlinks.contains(next)) {
                        throw new UnsafeEntryException(entry.where() + " would be written through the symlink "
                                + root.relativize(next) + " that the archive itself created");
                    }
                    if (++hops > MAX_LINK_HOPS) {
                        throw new UnsafeEntryException(entry.where() + ": too many symlinks on the way (a loop?)");
                    }
                    String linkTarget = Files.readSymbolicLink(next).toString();
                    List<String> targetParts = new ArrayList<>(Arrays.asList(linkTarget.split("/")));
                    for (int i = targetParts.size() - 1; i >= 0; i--) {
                        todo.push(targetParts.get(i));
                    }
                    if (linkTarget.startsWith("/")) {
                        current = root;
                    }
                } else if (attributes.isDirectory()) {
                    current = next;
                } else {
                    throw new UnsafeEntryException(entry.where() + ": " + root.relativize(next)
                            + " is a file in the image, not a directory");
                }
            }
            return current;
        }

        private List<String> relativeComponents(Path path) {
            List<String> parts = new ArrayList<>();
            root.relativize(path).forEach(p -> parts.add(p.toString()));
            return parts;
        }

        private void setOwner(Path target, TarEntry entry) {
            if (ownersFailed) {
                return;
            }
            try {
                Files.setAttribute(target, "unix:uid", (int) entry.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(target, "unix:gid", (int) entry.gid(), LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | SecurityException e) {
                ownersFailed = true;
            }
        }

        private void setTime(Path target, TarEntry entry) throws IOException {
            FileTime time = FileTime.from(entry.mtime(), java.util.concurrent.TimeUnit.SECONDS);
            Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(time, null, null);
        }

        private static BasicFileAttributes attributes(Path path) throws IOException {
            try {
                return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                return null;
            }
        }
    }
}
