package org.openslx.netboot.block.qcow2;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Raw deflate decoded by libdeflate ({@code libdeflate.so.0}, Debian package libdeflate0):
 * it decodes a whole buffer at once, which is all a qcow2 cluster needs. Chosen by measurement
 * (bench/Qcow2DecoderBench.java on the benchmark image, MB decompressed per CPU second;
 * docs/BENCHMARKS.md): libdeflate 520-620, zlib's streaming inflate (java.util.zip, and what
 * qemu uses) 260-300. Without the library {@link Decompressors} falls back to
 * {@link InflateDecompressor}.
 *
 * <p>libdeflate is stricter than zlib in one corner: a stream that goes on after the cluster
 * is full is an error to it, while qemu (zlib) takes the full cluster and stops. Any cluster
 * libdeflate refuses is therefore decoded again with zlib, so both give qemu's verdict.
 */
final class LibdeflateDecompressor implements ClusterDecompressor {
    private static final int SUCCESS = 0;

    /** A libdeflate decompressor with room for the two lengths it reports back. */
    private record Context(MemorySegment decompressor, MemorySegment lengths) {
    }

    private final NativeLibrary library;
    private final MethodHandle allocDecompressor;
    private final MethodHandle decompressEx;
    private final MethodHandle freeDecompressor;
    private final InflateDecompressor zlib;
    /** Contexts are some KiB of native memory each; a few are kept, more are freed after use. */
    private final ArrayBlockingQueue<Context> pool = new ArrayBlockingQueue<>(16);

    private LibdeflateDecompressor(NativeLibrary library, InflateDecompressor zlib) {
        this.library = library;
        this.zlib = zlib;
        this.allocDecompressor = library.function("libdeflate_alloc_decompressor",
                FunctionDescriptor.of(ADDRESS), false);
        // enum libdeflate_result libdeflate_deflate_decompress_ex(d, in, in_nbytes, out,
        //     out_nbytes_avail, size_t *actual_in_nbytes_ret, size_t *actual_out_nbytes_ret)
        this.decompressEx = library.function("libdeflate_deflate_decompress_ex",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG,
                        ADDRESS, ADDRESS), true);
        this.freeDecompressor = library.function("libdeflate_free_decompressor",
                FunctionDescriptor.ofVoid(ADDRESS), false);
    }

    /** The decoder, or null if libdeflate is not installed (or native access is off). */
    static LibdeflateDecompressor load(InflateDecompressor zlib) {
        NativeLibrary library = NativeLibrary.open("libdeflate.so.0");
        if (library == null) {
            return null;
        }
        try {
            return new LibdeflateDecompressor(library, zlib);
        } catch (IllegalArgumentException e) {
            return null; // a library of that name without the functions: not the one we know
        }
    }

    @Override
    public String decompress(MemorySegment input, MemorySegment cluster) {
        Context context = pool.poll();
        if (context == null) {
            context = newContext();
            if (context == null) {
                return zlib.decompress(input, cluster);
            }
        }
        int result;
        long produced;
        try {
            MemorySegment lengths = context.lengths();
            result = (int) decompressEx.invokeExact(context.decompressor(), input, input.byteSize(),
                    cluster, cluster.byteSize(), lengths, lengths.asSlice(8));
            produced = lengths.get(JAVA_LONG, 8);
        } catch (Throwable e) {
            throw new IllegalStateException("libdeflate call failed", e);
        } finally {
            release(context);
        }
        if (result == SUCCESS && produced == cluster.byteSize()) {
            return null;
        }
        return zlib.decompress(input, cluster);
    }

    private Context newContext() {
        try {
            MemorySegment decompressor = (MemorySegment) allocDecompressor.invokeExact();
            if (decompressor.equals(MemorySegment.NULL)) {
                return null;
            }
            return new Context(decompressor, Arena.ofAuto().allocate(JAVA_LONG, 2));
        } catch (Throwable e) {
            throw new IllegalStateException("libdeflate_alloc_decompressor failed", e);
        }
    }

    private void release(Context context) {
        if (!pool.offer(context)) {
            try {
                freeDecompressor.invokeExact(context.decompressor());
            } catch (Throwable e) {
                throw new IllegalStateException("libdeflate_free_decompressor failed", e);
            }
        }
    }

    @Override
    public String describe() {
        return "zlib (" + library.name() + ", native)";
    }
}
