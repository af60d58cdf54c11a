package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.Consumer;
import org.openslx.netboot.stage3.machine.CowHeader;
import org.openslx.netboot.stage3.machine.CowOwner;
import org.openslx.netboot.util.ByteSizes;

/**
 * The copy-on-write store's files and headers. A persistent file is bound to its image and RID by
 * {@code <file>.owner} (the text of {@link CowHeader}); it is kept only when that matches, and
 * otherwise replaced by a fresh, empty (sparse) file, which device-mapper takes as a new store.
 */
final class CowFiles {
    private static final long ALIGN = 1 << 20;

    private CowFiles() {
    }

    static void createCowFile(Path file, long maxBytes, long reserveBytes, Optional<CowOwner> persistentFor,
                              Consumer<String> log) throws IOException {
        Path ownerFile = file.resolveSibling(file.getFileName() + ".owner");
        if (persistentFor.isPresent() && Files.isRegularFile(file) && Files.isRegularFile(ownerFile)) {
            Optional<CowOwner> recorded = CowHeader.decode(Files.readAllBytes(ownerFile));
            if (recorded.equals(persistentFor)) {
                log.accept("reusing the copy-on-write file " + file + " of " + persistentFor.get() + " ("
                        + ByteSizes.format(Files.size(file)) + ")");
                return;
            }
            log.accept("the copy-on-write file " + file + " belongs to " + recorded.map(Object::toString).orElse("nobody")
                    + ", not " + persistentFor.get() + ": starting a fresh one");
        }
        Files.deleteIfExists(file);
        Files.deleteIfExists(ownerFile);
        long usable = Files.getFileStore(file.getParent()).getUsableSpace() - reserveBytes;
        long size = maxBytes > 0 ? Math.min(maxBytes, usable) : usable;
        size -= size % ALIGN;
        if (size < ALIGN) {
            throw new IOException("only " + ByteSizes.format(Math.max(usable, 0)) + " free for the copy-on-write file");
        }
        if (maxBytes > 0 && size < maxBytes) {
            log.accept("WARNING: the filesystem holds only " + ByteSizes.format(size) + " for the copy-on-write file, less than"
                    + " the " + ByteSizes.format(maxBytes) + " allowed");
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size); // sparse: blocks are used only as the snapshot writes them
        }
        if (persistentFor.isPresent()) {
            Files.writeString(ownerFile, CowHeader.text(persistentFor.get()));
        }
        log.accept("created the copy-on-write file " + file + " (" + ByteSizes.format(size) + ", sparse)");
    }

    static void writeHeader(Path device, Optional<CowOwner> owner) throws IOException {
        byte[] header = owner.map(CowHeader::encode).orElse(new byte[CowHeader.HEADER_BYTES]);
        writeAt(device, 0, header);
    }

    static void zero(Path device, long offset, long length) throws IOException {
        writeAt(device, offset, new byte[Math.toIntExact(length)]);
    }

    private static void writeAt(Path device, long offset, byte[] data) throws IOException {
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                channel.write(buffer, offset + buffer.position());
            }
            channel.force(true);
        }
    }
}
