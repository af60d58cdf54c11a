package org.openslx.netboot.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.UUID;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.server.CrcListWriter;

/**
 * {@code slx image add}: copies a qcow2 file into the store as a new revision. The copy goes to a
 * hidden temporary file beside its final place (invisible to dnbd3 servers scanning the store),
 * its CRC list is computed from the copy by the dnbd3 server's {@link CrcListWriter}, and only a
 * complete, synced copy is renamed to {@code <name>.r<RID>}, its {@code .crc} first. An existing
 * revision is never touched: the RID is chosen, or the requested one checked, under a lock on
 * the store that serializes concurrent adds.
 */
public final class ImageImport {
    private static final int BUFFER_SIZE = 1 << 20;
    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};
    private static final String LOCK_FILE = ".slx-image-add.lock";

    /** Told how far the work is: first the copy, then the CRC pass over the copy. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param phase "copying" or "computing CRCs"
         * @param bytes bytes of the image done in this phase
         * @param total the image's size
         */
        void advanced(String phase, long bytes, long total);
    }

    public static final String COPYING = "copying";
    public static final String COMPUTING_CRCS = "computing CRCs";

    private ImageImport() {
    }

    /**
     * @param rid the revision to create, or 0 for "one above the highest existing"
     * @return the new revision
     */
    public static StoredImage add(StoreFiles store, Path source, String name, int rid, Progress progress)
            throws IOException {
        if (rid < 0 || rid > StoreFiles.MAX_RID) {
            throw new IllegalArgumentException("--rid " + rid + " is out of range: revisions are 1.." + StoreFiles.MAX_RID);
        }
        Path first = store.fileOf(name, 1); // checks the name
        checkIsQcow2(source);
        if (rid > 0 && Files.exists(store.fileOf(name, rid))) {
            throw new IOException(name + " revision " + rid + " already exists (" + store.fileOf(name, rid)
                    + "); a revision is never overwritten, add a new one instead");
        }
        Path folder = first.getParent();
        Files.createDirectories(folder);
        String unique = "." + first.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8);
        Path tempImage = folder.resolve(unique + ".part");
        Path tempCrc = folder.resolve(unique + ".crc.part");
        tempImage.toFile().deleteOnExit();
        tempCrc.toFile().deleteOnExit();
        try {
            long size = copy(source, tempImage, progress);
            CrcList crc = CrcListWriter.compute(tempImage, done -> progress.advanced(COMPUTING_CRCS, done, size));
            try (FileChannel out = FileChannel.open(tempCrc, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = crc.encode();
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            return publish(store, name, rid, tempImage, tempCrc, size);
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
            ByteBuffer magic = ByteBuffer.allocate(QCOW2_MAGIC.length);
            while (magic.hasRemaining() && in.read(magic) > 0) {
                // Reads until the magic is complete or the file ends.
            }
            if (magic.hasRemaining() || !Arrays.equals(magic.array(), QCOW2_MAGIC)) {
                throw new IOException(source + " is not a qcow2 image (no 'QFI\\xfb' magic at offset 0)");
            }
        }
    }

    /** Copies and syncs; returns the size. */
    private static long copy(Path source, Path target, Progress progress) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
            long done = 0;
            progress.advanced(COPYING, 0, size);
            while (done < size) {
                buffer.clear().limit((int) Math.min(BUFFER_SIZE, size - done));
                int n = in.read(buffer, done);
                if (n < 0) {
                    throw new IOException(source + " shrank while it was copied (ended at " + done
                            + " of " + size + " bytes)");
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                done += n;
                progress.advanced(COPYING, done, size);
            }
            if (in.size() != size) {
                throw new IOException(source + " changed size while it was copied");
            }
            out.force(true);
            return size;
        }
    }

    private static StoredImage publish(StoreFiles store, String name, int requestedRid, Path tempImage,
                                       Path tempCrc, long size) throws IOException {
        try (FileChannel lockFile = FileChannel.open(store.root().resolve(LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock _ = lockFile.lock()) {
            int rid = requestedRid > 0 ? requestedRid : nextRid(store, name);
            Path image = store.fileOf(name, rid);
            if (Files.exists(image)) {
                throw new IOException(name + " revision " + rid + " appeared while copying (" + image
                        + "); it was left untouched and nothing was added");
            }
            // The list first: a server that finds the image must find its CRCs with it.
            Path crcFile = StoreFiles.crcFileOf(image);
            Files.move(tempCrc, crcFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tempImage, image, StandardCopyOption.ATOMIC_MOVE);
            sync(image.getParent());
            return new StoredImage(name, rid, image, size, true);
        }
    }

    private static int nextRid(StoreFiles store, String name) throws IOException {
        int rid = store.revisions(name).stream().mapToInt(StoredImage::rid).max().orElse(0) + 1;
        while (rid <= StoreFiles.MAX_RID && Files.exists(store.fileOf(name, rid))) {
            rid++; // An empty or unreadable leftover still holds its RID.
        }
        if (rid > StoreFiles.MAX_RID) {
            throw new IOException(name + " has no free revision left: dnbd3 revisions end at " + StoreFiles.MAX_RID
                    + "; add it under a new name");
        }
        return rid;
    }

    /** fsync a folder so the renames survive a crash (the data itself was synced before). */
    private static void sync(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems refuse to sync folders; nothing more to do.
        }
    }
}
