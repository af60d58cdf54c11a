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

/**
 * The image store in the reference dnbd3 server's layout: {@code <store>/<name>.r<RID>} files
 * (the name may contain '/' for sub-folders) with {@code <file>.crc} lists beside them. Hidden
 * entries are skipped, as the reference does, which is what makes {@code .}-prefixed temporary
 * files of an unfinished {@code image add} invisible.
 */
public final class ImageStore {
    public static final int MAX_RID = 65535;
    private static final Pattern REVISION_FILE = Pattern.compile("(.+)\\.r([0-9]{1,5})");

    private final Path root;

    public ImageStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The file of a revision (which need not exist). */
    public Path fileOf(String name, int rid) {
        return root.resolve(ImageName.check(name) + ".r" + rid);
    }

    public static Path crcFileOf(Path imageFile) {
        return imageFile.resolveSibling(imageFile.getFileName() + ".crc");
    }

    /** Every revision of every image, sorted by name and RID. An absent store is empty. */
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
        String relative = root.relativize(file).toString().replace('\\', '/');
        Matcher m = REVISION_FILE.matcher(relative);
        if (!m.matches()) {
            return null;
        }
        int rid = Integer.parseInt(m.group(2));
        if (rid < 1 || rid > MAX_RID || !ImageName.isValid(m.group(1))) {
            return null;
        }
        return new StoredImage(m.group(1), rid, file, size, Files.isRegularFile(crcFileOf(file)));
    }

    private static boolean hidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }
}
