package org.openslx.netboot.block.qcow2;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.airlift.compress.v3.MalformedInputException;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Supplier;

/**
 * {@code compression_type=zstd}: one or more zstd frames that together yield the cluster, as
 * qemu's decoder accepts, followed by padding up to the sector end.
 *
 * <p>Two decoders for a frame. The system's libzstd ({@code libzstd.so.1}, which Debian,
 * systemd and dracut images carry anyway) through the JDK's foreign function API, with one
 * decompression context reused per thread of work; and, where that library is missing,
 * aircompressor's pure-Java decoder. Chosen by measurement (bench/Qcow2DecoderBench.java on the
 * benchmark image, MB decompressed per CPU second; docs/BENCHMARKS.md): libzstd 820-900, the
 * Java decoder 430-520 with the C2 compiler and 280 with C1 only (the launcher's default), so
 * libzstd is taken whenever it loads. aircompressor's own native mode measured 650-820: it
 * unpacks a libzstd bundled in its jar to a temporary file at every start and creates a context
 * per call, so the system library is called directly instead.
 */
final class ZstdClusterDecompressor implements ClusterDecompressor {

    /** Decodes one (non-skippable) frame into the start of {@code out}; returns the bytes produced. */
    private interface FrameDecoder {
        long decode(MemorySegment frame, MemorySegment out);

        /** Releases native memory; the decoder is not used again. */
        default void free() {
        }
    }

    /** libzstd's verdict on a frame, e.g. "Data corruption detected". */
    private static final class InvalidFrame extends RuntimeException {
        InvalidFrame(String message) {
            super(message, null, false, false);
        }
    }

    private final String description;
    private final Supplier<FrameDecoder> newDecoder;
    /** Decoders keep tables (Java) or a context (native) between calls; pool a few. */
    private final ArrayBlockingQueue<FrameDecoder> pool = new ArrayBlockingQueue<>(16);

    private ZstdClusterDecompressor(String description, Supplier<FrameDecoder> newDecoder) {
        this.description = description;
        this.newDecoder = newDecoder;
    }

    /** The pure-Java decoder, always available. */
    static ZstdClusterDecompressor java() {
        return new ZstdClusterDecompressor("zstd (aircompressor, Java)", () -> {
            ZstdJavaDecompressor decoder = new ZstdJavaDecompressor();
            return decoder::decompress;
        });
    }

    /** The libzstd decoder, or null if the library is not installed (or native access is off). */
    static ZstdClusterDecompressor libzstd() {
        NativeLibrary library = NativeLibrary.open("libzstd.so.1");
        if (library == null) {
            return null;
        }
        try {
            Libzstd zstd = new Libzstd(library);
            return new ZstdClusterDecompressor("zstd (" + library.name() + " " + zstd.version() + ", native)",
                    zstd::newDecoder);
        } catch (IllegalArgumentException e) {
            return null; // a library of that name without the functions: not the one we know
        }
    }

    @Override
    public String decompress(MemorySegment input, MemorySegment cluster) {
        FrameDecoder decoder = pool.poll();
        if (decoder == null) {
            decoder = newDecoder.get();
        }
        long length = cluster.byteSize();
        long in = 0;
        long produced = 0;
        try {
            while (produced < length) {
                long frame = ZstdFrames.frameLength(input, in);
                if (frame < 0) {
                    return "zstd data is truncated or not a zstd frame at byte " + in + " after "
                            + produced + " of " + length + " bytes";
                }
                if (!ZstdFrames.isSkippable(input, in)) {
                    produced += decoder.decode(input.asSlice(in, frame), cluster.asSlice(produced));
                }
                in += frame;
            }
            return null;
        } catch (MalformedInputException | InvalidFrame e) {
            return "invalid zstd data (" + e.getMessage() + ")";
        } catch (RuntimeException e) {
            // Hostile frames can trip the decoder in other ways; the data is still just invalid.
            return "invalid zstd data (" + e + ")";
        } finally {
            if (!pool.offer(decoder)) {
                decoder.free();
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** The few libzstd functions a one-shot frame decode needs. */
    private static final class Libzstd {
        private final MethodHandle createDCtx;
        private final MethodHandle freeDCtx;
        private final MethodHandle decompressDCtx;
        private final MethodHandle isError;
        private final MethodHandle getErrorName;
        private final MethodHandle versionString;

        Libzstd(NativeLibrary library) {
            createDCtx = library.function("ZSTD_createDCtx", FunctionDescriptor.of(ADDRESS), false);
            freeDCtx = library.function("ZSTD_freeDCtx", FunctionDescriptor.of(JAVA_LONG, ADDRESS), false);
            // size_t ZSTD_decompressDCtx(ZSTD_DCtx*, void* dst, size_t dstCapacity,
            //                            const void* src, size_t srcSize)
            decompressDCtx = library.function("ZSTD_decompressDCtx",
                    FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG), true);
            isError = library.function("ZSTD_isError", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), true);
            getErrorName = library.function("ZSTD_getErrorName", FunctionDescriptor.of(ADDRESS, JAVA_LONG), false);
            versionString = library.function("ZSTD_versionString", FunctionDescriptor.of(ADDRESS), false);
        }

        String version() {
            try {
                return ((MemorySegment) versionString.invokeExact()).reinterpret(64).getString(0);
            } catch (Throwable e) {
                return "?";
            }
        }

        /** A decoder with its own context (about 100 KiB of native memory). */
        FrameDecoder newDecoder() {
            MemorySegment context;
            try {
                context = (MemorySegment) createDCtx.invokeExact();
            } catch (Throwable e) {
                throw new IllegalStateException("ZSTD_createDCtx failed", e);
            }
            if (context.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryError("ZSTD_createDCtx: no memory for a zstd context");
            }
            return new FrameDecoder() {
                @Override
                public long decode(MemorySegment frame, MemorySegment out) {
                    return Libzstd.this.decode(context, frame, out);
                }

                @Override
                public void free() {
                    try {
                        long ignored = (long) freeDCtx.invokeExact(context);
                    } catch (Throwable e) {
                        throw new IllegalStateException("ZSTD_freeDCtx failed", e);
                    }
                }
            };
        }

        private long decode(MemorySegment context, MemorySegment frame, MemorySegment out) {
            long result;
            boolean failed;
            try {
                result = (long) decompressDCtx.invokeExact(context, out, out.byteSize(), frame, frame.byteSize());
                failed = (int) isError.invokeExact(result) != 0;
            } catch (Throwable e) {
                throw new IllegalStateException("ZSTD_decompressDCtx failed", e);
            }
            if (failed) {
                throw new InvalidFrame(errorName(result));
            }
            return result;
        }

        private String errorName(long code) {
            try {
                return ((MemorySegment) getErrorName.invokeExact(code)).reinterpret(256).getString(0);
            } catch (Throwable e) {
                return "error " + code;
            }
        }
    }
}
