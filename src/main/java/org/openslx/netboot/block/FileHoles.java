package org.openslx.netboot.block;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the holes of a sparse regular file with {@code lseek(SEEK_DATA / SEEK_HOLE)}, which the
 * JDK does not offer: the C library is called through the foreign function API on a descriptor
 * of its own (a FileChannel does not show its descriptor). Where that is not possible (native
 * access denied, not Linux, not a regular file) {@link #open} returns null and the file counts
 * as all data.
 */
final class FileHoles implements Closeable {
    private static final System.Logger LOG = System.getLogger(FileHoles.class.getName());
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;

    private static final Calls CALLS = Calls.find();

    /** The C functions, or null if they cannot be called here. */
    private record Calls(MethodHandle open, MethodHandle lseek, MethodHandle close, StructLayout state,
            VarHandle errno) {
        static Calls find() {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                return null;
            }
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                StructLayout state = Linker.Option.captureStateLayout();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                return new Calls(
                        linker.downcallHandle(libc.find("open").orElseThrow(), FunctionDescriptor.of(
                                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)),
                        linker.downcallHandle(libc.find("lseek").orElseThrow(), FunctionDescriptor.of(
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT), errno),
                        linker.downcallHandle(libc.find("close").orElseThrow(),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                        state,
                        state.varHandle(StructLayout.PathElement.groupElement("errno")));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "lseek(SEEK_DATA) not callable ({0}); files count as all data",
                        e.toString());
                return null;
            }
        }
    }

    private final Path path;
    private final int fd;

    private FileHoles(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Holes of the regular file at {@code path}, or null if they cannot be found. */
    static FileHoles open(Path path) {
        if (CALLS == null || !Files.isRegularFile(path)) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) CALLS.open().invokeExact(arena.allocateFrom(path.toString()), O_RDONLY | O_CLOEXEC);
            return fd < 0 ? null : new FileHoles(path, fd);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * The run at {@code offset} (inside a file of {@code size} bytes), at most {@code maxLength}
     * long: data up to the next hole, or a hole up to the next data.
     */
    Allocation allocation(long offset, long maxLength, long size) throws IOException {
        long end = offset + maxLength;
        long data = seek(offset, SEEK_DATA);
        if (data < 0 || data >= end) {
            // No data before the end of the range (ENXIO: none before the end of the file).
            return Allocation.hole(maxLength);
        }
        if (data > offset) {
            return Allocation.hole(data - offset);
        }
        long hole = seek(offset, SEEK_HOLE);
        return Allocation.data(Math.min(end, hole < 0 ? size : Math.max(hole, offset + 1)) - offset);
    }

    /** lseek's answer, or -1 for ENXIO (nothing of that kind after {@code offset}). */
    private long seek(long offset, int whence) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALLS.state());
            long result = (long) CALLS.lseek().invokeExact(state, fd, offset, whence);
            if (result >= 0) {
                return result;
            }
            int errno = (int) CALLS.errno().get(state, 0L);
            if (errno == ENXIO) {
                return -1;
            }
            throw new IOException(path + ": lseek(" + (whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE")
                    + ") at offset " + offset + " failed with errno " + errno);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(path + ": lseek failed", e);
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CALLS.close().invokeExact(fd);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a descriptor of " + path, e);
        }
    }
}
