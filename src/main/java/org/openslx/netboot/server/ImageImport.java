package org.openslx.netboot.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * {@code slx image add}: copies a qcow2 file into the store as a new revision. The copy goes to a
 * hidden temporary file beside its final place (invisible to dnbd3 servers scanning the store),
 * its CRC list is computed on the way, and only a complete, synced copy is renamed to
 * {@code <name>.r<RID>}, its {@code .crc} first. An existing revision is never touched: the RID is
 * chosen, or the requested one checked, under a lock on the store that serializes concurrent adds.
 */
public final class ImageImport {
    private static final int BUFFER_SIZE = 1 << 20;
    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};
    private static final String LOCK_FILE = ".slx-image-add.lock";

    /** Told how far the copy is. */
    @FunctionalInterface
    public interface Progress {
        void copied(long bytes, long total);
    }

    private ImageImport() {
    }

    /**
     * @param rid the revision to create, or 0 for "one above the highest existing"
     * @return the new revision
     */
    public static StoredImage add(ImageStore store, Path source, String name, int rid, Progress progress)
            throws IOException {
        ImageName.check(name);
        if (rid < 0 || rid > ImageStore.MAX_RID) {
            throw new IllegalArgumentException("--rid " + rid + " is out of range: revisions are 1.." + ImageStore.MAX_RID);
        }
        checkIsQcow2(source);
        if (rid > 0 && Files.exists(store.fileOf(name, rid))) {
            throw new IOException(name + " revision " + rid + " already exists (" + store.fileOf(name, rid)
                    + "); a revision is never overwritten, add a new one instead");
        }
        Path folder = store.fileOf(name, 1).getParent();
        Files.createDirectories(folder);
        String leaf = store.fileOf(name, 1).getFileName().toString();
        String unique = UUID.randomUUID().toString().substring(0, 8);
        Path tempImage = folder.resolve("." + leaf + "." + unique + ".part");
        Path tempCrc = folder.resolve("." + leaf + "." + unique + ".crc.part");
        tempImage.toFile().deleteOnExit();
        tempCrc.toFile().deleteOnExit();
        try {
            CrcList crc = copy(source, tempImage, progress);
            Files.write(tempCrc, crc.finish());
            sync(tempCrc);
            return publish(store, name, rid, tempImage, tempCrc, crc.size());
        } finally {
            Files.deleteIfExists(tempImage);
            Files.deleteIfExists(tempCrc);
        }
    }

    private static void checkIsQcow2(Path source) throws IOException {
        if (!Files.isRegularFile(source)) {
            throw new IOException(source + ": no such file");
        }
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(4);
            while (magic.hasRemaining() && in.read(magic) > 0) {
                // Reads until 4 bytes or the end.
            }
            if (magic.hasRemaining() || !java.util.Arrays.equals(magic.array(), QCOW2_MAGIC)) {
                throw new IOException(source + " is not a qcow2 image (no 'QFI\\xfb' magic at offset 0)");
            }
        }
    }

    private static CrcList copy(Path source, Path target, Progress progress) throws IOException {
        CrcList crc = new CrcList();
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long total = in.size();
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
            long done = 0;
            progress.copied(0, total);
            while (done < total) {
                buffer.clear().limit((int) Math.min(BUFFER_SIZE, total - done));
                int n = in.read(buffer, done);
                if (n < 0) {
                    throw new IOException(source + " shrank while it was copied (ended at " + done
                            + " of " + total + " bytes)");
                }
                buffer.flip();
                crc.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                done += n;
                progress.copied(done, total);
            }
            if (in.size() != total) {
                throw new IOException(source + " changed size while it was copied");
            }
            out.force(true);
        }
        return crc;
    }

    private static StoredImage publish(ImageStore store, String name, int requestedRid, Path tempImage,
                                       Path tempCrc, long size) throws IOException {
        Files.createDirectories(store.root());
        try (FileChannel lockFile = FileChannel.open(store.root().resolve(LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            int rid = requestedRid > 0 ? requestedRid : nextRid(store, name);
            Path image = store.fileOf(name, rid);
            if (Files.exists(image)) {
                throw new IOException(name + " revision " + rid + " appeared while copying (" + image
                        + "); it was left untouched and nothing was added");
            }
            // The list first: a server that finds the image must find its CRCs with it.
            Path crcFile = ImageStore.crcFileOf(image);
            Files.move(tempCrc, crcFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tempImage, image, StandardCopyOption.ATOMIC_MOVE);
            sync(image.getParent());
            return new StoredImage(name, rid, image, size, true);
        }
    }

    private static int nextRid(ImageStore store, String name) throws IOException {
        int highest = store.revisions(name).stream().mapToInt(StoredImage::rid).max().orElse(0);
        if (highest >= ImageStore.MAX_RID) {
            throw new IOException(name + " already has revision " + ImageStore.MAX_RID + ", the highest dnbd3 allows;"
                    + " add it under a new name");
        }
        int rid = highest + 1;
        while (rid <= ImageStore.MAX_RID && Files.exists(store.fileOf(name, rid))) {
            rid++; // An empty or unreadable leftover still holds its RID.
        }
        if (rid > ImageStore.MAX_RID) {
            throw new IOException(name + " has no free revision left below " + ImageStore.MAX_RID);
        }
        return rid;
    }

    /** fsync a file or folder so a rename survives a crash with its data. */
    private static void sync(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems refuse to sync folders; the data itself was synced before.
        }
    }
}
