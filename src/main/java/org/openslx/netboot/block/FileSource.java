package org.openslx.netboot.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A regular file or block device as a source. Positional reads on one {@link FileChannel} are
 * thread-safe and do not move a shared position, so concurrent readers need no lock.
 */
public final class FileSource implements BlockSource, FileMapped {
    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final boolean writable;
    /**
     * Finds holes in a sparse file, set up on first use: binding the C functions costs a fifth
     * of a second of start-up, which commands that never ask (image cat of a raw file) skip.
     */
    private FileHoles holes;
    private boolean holesOpened;
    private boolean closed;

    private FileSource(Path path, FileChannel channel, long size, boolean writable) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.writable = writable;
    }

    public static FileSource openReadOnly(Path path) throws IOException {
        return open(path, false);
    }

    public static FileSource openWritable(Path path) throws IOException {
        return open(path, true);
    }

    private static FileSource open(Path path, boolean writable) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException(path + ": no such file");
        }
        FileChannel channel = writable
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            return new FileSource(path, channel, size, writable);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** The underlying channel, for exports that can send with {@code transferTo} (zero copy). */
    public FileChannel channel() {
        return channel;
    }

    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        checkRange(offset, dst.remaining());
        long position = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {
                throw new IOException(path + ": file shrank while reading at offset " + position);
            }
            position += n;
        }
    }

    @Override
    public List<Piece> piecesOf(long offset, long length) throws IOException {
        checkRange(offset, length);
        return List.of(new InFile(channel, offset, length));
    }

    /** Holes and data as the file system reports them (SEEK_HOLE, SEEK_DATA), if it can. */
    @Override
    public Allocation allocation(long offset, long maxLength) throws IOException {
        checkRange(offset, maxLength);
        if (maxLength <= 0) {
            throw new IOException(path + ": allocation of an empty range at offset " + offset);
        }
        FileHoles finder = holes();
        return finder == null ? Allocation.data(maxLength) : finder.allocation(offset, maxLength, size);
    }

    /** The hole finder, or null if this file has none (then it counts as all data). */
    private synchronized FileHoles holes() {
        if (!holesOpened && !closed) {
            holesOpened = true;
            holes = FileHoles.open(path);
        }
        return holes;
    }

    @Override
    public boolean canWrite() {
        return writable;
    }

    @Override
    public void write(ByteBuffer src, long offset) throws IOException {
        if (!writable) {
            throw new ReadOnlySourceException(describe());
        }
        checkRange(offset, src.remaining());
        long position = offset;
        while (src.hasRemaining()) {
            position += channel.write(src, position);
        }
    }

    @Override
    public void flush() throws IOException {
        if (writable) {
            channel.force(false);
        }
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            if (holes != null) {
                holes.close();
                holes = null;
            }
        }
        channel.close();
    }
}
