package org.openslx.netboot.dnbd3.server;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;
import org.openslx.netboot.dnbd3.protocol.ProtocolException;

/**
 * The images under a base folder, laid out as the reference server expects:
 * {@code <base>/<dir>/<name>.r<RID>} is image {@code <dir>/<name>} revision RID (1..65535),
 * with an optional {@code .crc} list next to it. Images are loaded on demand when a client asks
 * (so new files and revisions need no restart; RID 0 lists {@code <name>.r*} on disk each time)
 * and reloaded with a warning if a loaded file changes. Files with a {@code .map} next to them are
 * incomplete replicas (a proxy's) and only served once the map says complete.
 */
public final class ImageStore implements Closeable {
    private static final System.Logger LOG = System.getLogger(ImageStore.class.getName());
    /** Same as the reference: {@code .r} then a RID without leading zeros. */
    private static final Pattern REVISION_SUFFIX = Pattern.compile("^(.+)\\.r([1-9][0-9]{0,4})$");
    private static final int MAX_RID = 0xffff;

    private final BaseFolder base;
    private final Map<String, Image> loaded = new ConcurrentHashMap<>();
    private final Object loadLock = new Object();
    private volatile boolean closed;

    private ImageStore(BaseFolder base) {
        this.base = base;
    }

    /** A store over this base folder (which must exist); nothing is loaded yet. */
    public static ImageStore open(Path base) throws IOException {
        return new ImageStore(new BaseFolder(base));
    }

    /** The base folder (real path). */
    public Path base() {
        return base.path();
    }

    /**
     * Finds image {@code name} revision {@code rid} (0 = the latest on disk), loading it if
     * needed, and takes a use of it: the caller must {@link Image#release()} it. Empty if the
     * name breaks the rules, no such file exists inside the base folder, or it cannot be served.
     */
    public Optional<Image> acquire(String name, int rid) {
        if (closed || !ImageName.isValid(name) || rid < 0 || rid > MAX_RID) {
            return Optional.empty();
        }
        if (rid != 0) {
            return acquireExact(name, rid);
        }
        for (int candidate : ridsOnDisk(name)) {
            Optional<Image> image = acquireExact(name, candidate);
            if (image.isPresent()) {
                return image;
            }
        }
        return Optional.empty();
    }

    /** The highest RID of {@code name} that can be served now. */
    public OptionalInt latestRid(String name) {
        Optional<Image> image = acquire(name, 0);
        image.ifPresent(Image::release);
        return image.map(i -> OptionalInt.of(i.rid())).orElse(OptionalInt.empty());
    }

    /** The images loaded so far, by name and RID. */
    public List<Image> images() {
        List<Image> list = new ArrayList<>(loaded.values());
        list.sort(Comparator.comparing(Image::name).thenComparingInt(Image::rid));
        return list;
    }

    /**
     * Loads every image under the base folder now (the reference does this at start-up), so the
     * status lists them before a client asks. Hidden entries and over-long names are skipped.
     *
     * @return number of images loaded
     */
    public int scan() throws IOException {
        List<String[]> found = new ArrayList<>();
        Path root = base.path();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(root) || acceptableEntry(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (!acceptableEntry(file)) {
                    return FileVisitResult.CONTINUE;
                }
                Matcher m = REVISION_SUFFIX.matcher(file.getFileName().toString());
                if (m.matches()) {
                    String dir = root.relativize(file.getParent()).toString().replace(file.getFileSystem().getSeparator(), "/");
                    String name = dir.isEmpty() ? m.group(1) : dir + "/" + m.group(1);
                    found.add(new String[] {name, m.group(2)});
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read " + file + " while scanning for images: " + e.getMessage());
                return FileVisitResult.CONTINUE;
            }
        });
        int count = 0;
        for (String[] entry : found) {
            int rid = Integer.parseInt(entry[1]);
            if (rid <= MAX_RID && ImageName.isValid(entry[0])) {
                Optional<Image> image = acquireExact(entry[0], rid);
                if (image.isPresent()) {
                    image.get().release();
                    count++;
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, "found " + count + " image(s) under " + root);
        return count;
    }

    private static boolean acceptableEntry(Path path) {
        String name = path.getFileName().toString();
        return !name.startsWith(".") && name.length() <= ImageName.MAX_COMPONENT_LENGTH;
    }

    /** RIDs of {@code <name>.r*} files on disk, highest first. */
    private List<Integer> ridsOnDisk(String name) {
        Optional<Path> folder = base.parentOf(name);
        if (folder.isEmpty()) {
            return List.of();
        }
        String prefix = name.substring(name.lastIndexOf('/') + 1);
        List<Integer> rids = new ArrayList<>();
        String filePrefix = prefix + ".r";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder.get(),
                entry -> entry.getFileName().toString().startsWith(filePrefix))) {
            for (Path entry : entries) {
                Matcher m = REVISION_SUFFIX.matcher(entry.getFileName().toString());
                if (m.matches() && m.group(1).equals(prefix)) {
                    int rid = Integer.parseInt(m.group(2));
                    if (rid <= MAX_RID) {
                        rids.add(rid);
                    }
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + folder.get() + ": " + e.getMessage());
        }
        rids.sort(Comparator.reverseOrder());
        return rids;
    }

    private Optional<Image> acquireExact(String name, int rid) {
        String key = name + ".r" + rid;
        for (int attempt = 0; attempt < 3; attempt++) {
            Image image = loaded.get(key);
            if (image == null || !unchangedOnDisk(image)) {
                image = reload(key, name, rid, image);
                if (image == null) {
                    return Optional.empty();
                }
            }
            if (image.acquire()) {
                return Optional.of(image);
            }
            // Retired and closed between lookup and acquire: look again.
        }
        return Optional.empty();
    }

    private static boolean unchangedOnDisk(Image image) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(image.file(), BasicFileAttributes.class);
            return attrs.size() == image.realSize() && attrs.lastModifiedTime().equals(image.modified());
        } catch (IOException e) {
            return false;
        }
    }

    private Image reload(String key, String name, int rid, Image stale) {
        synchronized (loadLock) {
            Image current = loaded.get(key);
            if (current != null && current != stale && unchangedOnDisk(current)) {
                return current;
            }
            if (current != null) {
                loaded.remove(key, current);
                current.retire();
                LOG.log(System.Logger.Level.WARNING, "image " + current + " changed or vanished on disk while in use;"
                        + " reloading it. Publish changes as a new revision (RID) instead: clients that"
                        + " already read the old content may now see mixed data");
            }
            if (closed) {
                return null;
            }
            Image fresh = load(key, name, rid);
            if (fresh != null) {
                loaded.put(key, fresh);
            }
            return fresh;
        }
    }

    private Image load(String key, String name, int rid) {
        Optional<Path> file = base.resolve(key);
        if (file.isEmpty()) {
            return null;
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(file.get(), BasicFileAttributes.class);
            if (attrs.size() == 0) {
                LOG.log(System.Logger.Level.WARNING, "image " + file.get() + " is empty; not served");
                return null;
            }
            if (!complete(key, attrs.size())) {
                LOG.log(System.Logger.Level.WARNING, "image " + file.get() + " is incomplete (its .map file"
                        + " says blocks are missing) and this server has no proxy mode; not served");
                return null;
            }
            CrcList crc = loadCrcList(key, attrs.size());
            FileChannel channel = FileChannel.open(file.get(), StandardOpenOption.READ);
            LOG.log(System.Logger.Level.INFO, "loaded image " + name + ":" + rid + " (" + attrs.size() + " bytes"
                    + (crc == null ? ", no CRC list" : ", CRC list of " + crc.blockCount() + " blocks") + ")");
            return new Image(name, rid, file.get(), attrs.size(), attrs.lastModifiedTime(), channel, crc);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot open image " + file.get() + ": " + e.getMessage());
            return null;
        }
    }

    /** No .map file, or one with a bit set for every 4 KiB block. */
    private boolean complete(String key, long realSize) throws IOException {
        Optional<Path> map = base.resolve(key + ".map");
        if (map.isEmpty()) {
            return true;
        }
        long blocks = Dnbd3Protocol.virtualSize(realSize) / Dnbd3Protocol.BLOCK_SIZE;
        byte[] bits = Files.readAllBytes(map.get());
        for (long block = 0; block < blocks; block++) {
            int index = (int) (block / 8);
            if (index >= bits.length || (bits[index] & (1 << (block % 8))) == 0) {
                return false;
            }
        }
        return true;
    }

    /** The .crc list, or null if absent, too short or with a wrong master CRC (as the reference). */
    private CrcList loadCrcList(String key, long realSize) {
        Optional<Path> crcFile = base.resolve(key + ".crc");
        if (crcFile.isEmpty()) {
            return null;
        }
        int needed = 4 * (Dnbd3Protocol.hashBlockCount(realSize) + 1);
        try (FileChannel channel = FileChannel.open(crcFile.get(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(needed);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // keep reading
            }
            if (buffer.hasRemaining()) {
                LOG.log(System.Logger.Level.WARNING, "CRC list " + crcFile.get() + " has " + buffer.position()
                        + " bytes, the image needs " + needed + "; ignored");
                return null;
            }
            return CrcList.decode(buffer.flip());
        } catch (ProtocolException e) {
            LOG.log(System.Logger.Level.WARNING, "CRC list " + crcFile.get() + " ignored: " + e.getMessage());
            return null;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read CRC list " + crcFile.get() + ": " + e.getMessage());
            return null;
        }
    }

    /** Closes every image file once its clients are gone. */
    @Override
    public void close() {
        synchronized (loadLock) {
            closed = true;
            loaded.values().forEach(Image::retire);
            loaded.clear();
        }
    }
}
