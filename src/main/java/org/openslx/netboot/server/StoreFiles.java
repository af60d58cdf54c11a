package org.openslx.netboot.server;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openslx.netboot.dnbd3.server.ImageName;

/**
 * The files of an image store as they lie on disk, without opening any: what {@code slx image
 * list}, {@code slx image add} and the status page show. The serving side is the dnbd3 server's
 * own {@link org.openslx.netboot.dnbd3.server.ImageStore}; both follow the reference layout
 * {@code <store>/<name>.r<RID>} (RID 1..65535 without leading zeros, '/' in names for
 * sub-folders) with {@code <file>.crc} beside, and both skip hidden entries, which is what keeps
 * the '.'-prefixed temporary files of an unfinished {@code image add} invisible.
 */
public final class StoreFiles {
    public static final int MAX_RID = 65535;
    private static final Pattern REVISION_FILE = Pattern.compile("(.+)\\.r([1-9][0-9]{0,4})");

    private final Path root;

    public StoreFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The file of a revision (which need not exist); the name must be valid. */
    public Path fileOf(String name, int rid) {
        String problem = ImageName.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("image name '" + name + "' is refused: " + problem);
        }
        return root.resolve(name + ".r" + rid);
    }

    public static Path crcFileOf(Path imageFile) {
        return imageFile.resolveSibling(imageFile.getFileName() + ".crc");
    }

    /** Every non-empty revision of every image, sorted by name and RID. An absent store is empty. */
    public List<StoredImage> list() throws IOException {
        List<StoredImage> images = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return images;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(root) || !hidden(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !hidden(file) && attrs.size() > 0) {
                    StoredImage image = parse(file, attrs.size());
                    if (image != null) {
                        images.add(image);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // An unreadable entry is not an image; the rest of the store still is.
                return FileVisitResult.CONTINUE;
            }
        });
        images.sort(Comparator.comparing(StoredImage::name).thenComparingInt(StoredImage::rid));
        return images;
    }

    /** The revisions of one image, lowest first. */
    public List<StoredImage> revisions(String name) throws IOException {
        return list().stream().filter(image -> image.name().equals(name)).toList();
    }

    private StoredImage parse(Path file, long size) {
        String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
        Matcher m = REVISION_FILE.matcher(relative);
        if (!m.matches()) {
            return null;
        }
        int rid = Integer.parseInt(m.group(2));
        if (rid > MAX_RID || !ImageName.isValid(m.group(1))) {
            return null;
        }
        return new StoredImage(m.group(1), rid, file, size, Files.isRegularFile(crcFileOf(file)));
    }

    private static boolean hidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }
}
