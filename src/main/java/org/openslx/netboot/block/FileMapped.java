package org.openslx.netboot.block;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * Capability of a source whose bytes lie, unchanged, in a file: it says where, so an export can
 * have the kernel send them from the page cache (sendfile) instead of copying them through a
 * buffer. A raw file has it, and so have the filters that only move bytes around (an
 * uncompressed qcow2 image, a partition) when the source below has it.
 */
public interface FileMapped {

    /**
     * Where bytes {@code [offset, offset + length)} are: pieces in order that together cover the
     * range exactly. Null when some of them exist only after decoding (compressed clusters), when
     * the source below is no file, or when the range is so fragmented that copying it is
     * cheaper than one system call per piece.
     *
     * @throws IOException if the range lies outside the source or its metadata is corrupt, as
     *     {@link BlockSource#read} would report it
     */
    List<Piece> piecesOf(long offset, long length) throws IOException;

    /** A run of bytes of the source. */
    sealed interface Piece {
        long length();
    }

    /** Bytes stored at {@code position} in {@code file}. */
    record InFile(FileChannel file, long position, long length) implements Piece {
    }

    /** Bytes that read as zeros. */
    record Zeros(long length) implements Piece {
    }
}
