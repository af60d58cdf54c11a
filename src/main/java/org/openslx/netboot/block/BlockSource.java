package org.openslx.netboot.block;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A block device seen as a byte array of fixed size: the one interface every layer speaks.
 *
 * <p>Sources (a file, a dnbd3 client) implement it; filters (qcow2 decoder, partition slice,
 * cache) wrap another source and implement it again; exports (NBD server, dnbd3 server) serve
 * any implementation. Like an nbdkit layer, each one states its capabilities instead of letting
 * callers guess.
 *
 * <p>Every implementation must be safe for concurrent {@link #read} calls from many threads:
 * exports answer pipelined requests in parallel.
 */
public interface BlockSource extends Closeable {

    /** Size in bytes; fixed for the lifetime of the source. */
    long size();

    /**
     * Fills {@code dst} from its position to its limit with the bytes at {@code offset}.
     * Either the whole range is read or an exception is thrown; never a short read.
     *
     * @throws IOException if the range lies outside {@code [0, size())}, or the source fails;
     *     the message names the source and the offending offset.
     */
    void read(ByteBuffer dst, long offset) throws IOException;

    /** A short human-readable name for messages and logs, e.g. the file path or dnbd3 URL. */
    String describe();

    /**
     * How the bytes from {@code offset} on are stored: one run of at most {@code maxLength}
     * bytes (and at least one) that are all data or all hole. Exports answer block status
     * queries with it (NBD {@code base:allocation}), so copies can skip holes. A layer may stop
     * a run early, e.g. to bound the metadata it reads; callers ask again for the rest.
     *
     * <p>The default says everything is data, which is always true, only less useful.
     *
     * @throws IOException if the range lies outside the source or its metadata is corrupt
     */
    default Allocation allocation(long offset, long maxLength) throws IOException {
        checkRange(offset, maxLength);
        if (maxLength <= 0) {
            throw new IOException(describe() + ": allocation of an empty range at offset " + offset);
        }
        return Allocation.data(maxLength);
    }

    /** Whether {@link #write} and {@link #flush} are supported. */
    default boolean canWrite() {
        return false;
    }

    /** Whether {@link #trim} is supported. */
    default boolean canTrim() {
        return false;
    }

    /**
     * Whether several connections may use this source at once and see a consistent view, as
     * NBD's CAN_MULTI_CONN means. Read-only sources always can.
     */
    default boolean canMultiConn() {
        return !canWrite();
    }

    /** Writes all of {@code src} at {@code offset}. Only if {@link #canWrite()}. */
    default void write(ByteBuffer src, long offset) throws IOException {
        throw new ReadOnlySourceException(describe());
    }

    /** Makes earlier writes durable. A no-op for read-only sources. */
    default void flush() throws IOException {
    }

    /** Discards a range; later reads return zeros or old data. Only if {@link #canTrim()}. */
    default void trim(long offset, long length) throws IOException {
        throw new ReadOnlySourceException(describe());
    }

    @Override
    void close() throws IOException;

    /**
     * Checks that {@code length} bytes at {@code offset} lie inside this source.
     * Implementations call it first in {@link #read} so every layer reports a bad range alike.
     */
    default void checkRange(long offset, long length) throws IOException {
        if (!inside(offset, length, size())) {
            throw new IOException(describe() + ": range " + offset + "+" + length
                    + " lies outside the source (size " + size() + ")");
        }
    }

    /**
     * Whether {@code length} bytes at {@code offset} lie inside {@code [0, size)}; written so that
     * no sum can overflow, as hostile offsets near {@code Long.MAX_VALUE} would make it.
     */
    static boolean inside(long offset, long length, long size) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }
}
