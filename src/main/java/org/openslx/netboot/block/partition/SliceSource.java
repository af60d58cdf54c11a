package org.openslx.netboot.block.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.openslx.netboot.block.Allocation;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileMapped;

/**
 * A byte range of another source as a source of its own: one partition of a disk. Owns the
 * source below (closing the slice closes it) and passes its capabilities through.
 */
public final class SliceSource implements BlockSource, FileMapped {
    private final BlockSource parent;
    private final long offset;
    private final long length;
    private final String name;

    /**
     * @param name what the slice is, for messages, e.g. "partition 2 (ROOT)"
     * @throws IOException if the range does not lie inside {@code parent}
     */
    public SliceSource(BlockSource parent, long offset, long length, String name) throws IOException {
        if (!BlockSource.inside(offset, length, parent.size())) {
            throw new IOException(parent.describe() + ": " + name + " (bytes " + offset + "+" + length
                    + ") lies outside the disk (size " + parent.size() + ")");
        }
        this.parent = parent;
        this.offset = offset;
        this.length = length;
        this.name = name;
    }

    /** Where the slice starts in the source below. */
    public long offset() {
        return offset;
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    public void read(ByteBuffer dst, long position) throws IOException {
        checkRange(position, dst.remaining());
        parent.read(dst, offset + position);
    }

    @Override
    public Allocation allocation(long position, long maxLength) throws IOException {
        checkRange(position, maxLength);
        return parent.allocation(offset + position, maxLength);
    }

    @Override
    public List<Piece> piecesOf(long position, long bytes) throws IOException {
        checkRange(position, bytes);
        return parent instanceof FileMapped mapped ? mapped.piecesOf(offset + position, bytes) : null;
    }

    @Override
    public String describe() {
        return parent.describe() + " " + name;
    }

    @Override
    public boolean canWrite() {
        return parent.canWrite();
    }

    @Override
    public boolean canTrim() {
        return parent.canTrim();
    }

    @Override
    public boolean canMultiConn() {
        return parent.canMultiConn();
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
        checkRange(position, src.remaining());
        parent.write(src, offset + position);
    }

    @Override
    public void flush() throws IOException {
        parent.flush();
    }

    @Override
    public void trim(long position, long bytes) throws IOException {
        checkRange(position, bytes);
        parent.trim(offset + position, bytes);
    }

    @Override
    public void close() throws IOException {
        parent.close();
    }
}
