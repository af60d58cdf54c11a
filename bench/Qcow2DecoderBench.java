import io.airlift.compress.v3.zstd.ZstdDecompressor;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
import io.airlift.compress.v3.zstd.ZstdNativeDecompressor;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;

/**
 * Decodes every compressed cluster of a qcow2 image with one decoder on one thread and prints
 * the decompressed bytes per CPU second (thread CPU time, so other work on a shared machine
 * disturbs it less than wall time). The decoders are called here directly, as slx's
 * block/qcow2 calls them, so the numbers compare the decoders, not the I/O around them.
 *
 *   java --enable-native-access=ALL-UNNAMED -cp target/slx.jar bench/Qcow2DecoderBench.java IMAGE DECODER [ROUNDS]
 *
 * DECODER: inflater (java.util.zip), libdeflate (libdeflate.so.0 via FFM), zstd-java
 * (aircompressor's Java decoder), zstd-aircompressor-native (aircompressor's own libzstd mode:
 * a bundled library unpacked to a temporary file, a context per call), zstd-libzstd (the system's
 * libzstd.so.1 via FFM with one reused context, as slx does).
 */
public class Qcow2DecoderBench {
    record Cluster(int offset, int length) {
    }

    public static void main(String[] args) throws Throwable {
        Path image = Path.of(args[0]);
        String decoder = args[1];
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        byte[] file;
        try (FileChannel channel = FileChannel.open(image)) {
            if (channel.size() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("image too large for this benchmark (2 GiB at most)");
            }
            ByteBuffer all = ByteBuffer.allocate((int) channel.size());
            while (all.hasRemaining() && channel.read(all) > 0) {
            }
            file = all.array();
        }
        int clusterBits = be32(file, 20);
        int clusterSize = 1 << clusterBits;
        List<Cluster> clusters = compressedClusters(file, clusterBits);
        System.out.printf("%s: %d compressed clusters of %d bytes%n", image.getFileName(), clusters.size(), clusterSize);
        MemorySegment input = MemorySegment.ofArray(file);
        byte[] out = new byte[clusterSize];
        var cpu = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= rounds; round++) {
            Runnable pass = pass(decoder, file, input, clusters, out);
            long start = cpu.getCurrentThreadCpuTime();
            pass.run();
            long nanos = cpu.getCurrentThreadCpuTime() - start;
            System.out.printf("%s round %d: %.0f MB decompressed per CPU second%n", decoder, round,
                    (double) clusters.size() * clusterSize / (nanos / 1e9) / 1e6);
        }
    }

    private static Runnable pass(String decoder, byte[] file, MemorySegment input, List<Cluster> clusters, byte[] out)
            throws Throwable {
        Linker linker = Linker.nativeLinker();
        return switch (decoder) {
            case "inflater" -> () -> {
                Inflater inflater = new Inflater(true);
                for (Cluster c : clusters) {
                    inflater.reset();
                    inflater.setInput(file, c.offset(), c.length());
                    try {
                        check(inflater.inflate(out), out.length);
                    } catch (java.util.zip.DataFormatException e) {
                        throw new IllegalStateException(e);
                    }
                }
                inflater.end();
            };
            case "libdeflate" -> {
                SymbolLookup lib = SymbolLookup.libraryLookup("libdeflate.so.0", Arena.global());
                MethodHandle alloc = linker.downcallHandle(lib.find("libdeflate_alloc_decompressor").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS));
                MethodHandle decompress = linker.downcallHandle(lib.find("libdeflate_deflate_decompress_ex").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                                ValueLayout.ADDRESS),
                        Linker.Option.critical(true));
                MemorySegment context = (MemorySegment) alloc.invokeExact();
                MemorySegment lengths = Arena.global().allocate(16);
                yield () -> {
                    for (Cluster c : clusters) {
                        try {
                            int result = (int) decompress.invokeExact(context, input.asSlice(c.offset(), c.length()),
                                    (long) c.length(), MemorySegment.ofArray(out), (long) out.length, lengths,
                                    lengths.asSlice(8));
                            check(result == 0 ? (int) lengths.get(ValueLayout.JAVA_LONG, 8) : -1, out.length);
                        } catch (Throwable e) {
                            throw new IllegalStateException(e);
                        }
                    }
                };
            }
            case "zstd-java" -> zstd(new ZstdJavaDecompressor(), file, clusters, out);
            case "zstd-aircompressor-native" -> zstd(new ZstdNativeDecompressor(), file, clusters, out);
            case "zstd-libzstd" -> {
                SymbolLookup lib = SymbolLookup.libraryLookup("libzstd.so.1", Arena.global());
                MethodHandle create = linker.downcallHandle(lib.find("ZSTD_createDCtx").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS));
                MethodHandle decompress = linker.downcallHandle(lib.find("ZSTD_decompressDCtx").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                        Linker.Option.critical(true));
                MemorySegment context = (MemorySegment) create.invokeExact();
                yield () -> {
                    for (Cluster c : clusters) {
                        try {
                            long n = (long) decompress.invokeExact(context, MemorySegment.ofArray(out), (long) out.length,
                                    input.asSlice(c.offset(), zstdFrameLength(file, c.offset())),
                                    (long) zstdFrameLength(file, c.offset()));
                            check((int) n, out.length);
                        } catch (Throwable e) {
                            throw new IllegalStateException(e);
                        }
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown decoder " + decoder);
        };
    }

    private static Runnable zstd(ZstdDecompressor decompressor, byte[] file, List<Cluster> clusters, byte[] out) {
        return () -> {
            for (Cluster c : clusters) {
                check(decompressor.decompress(file, c.offset(), zstdFrameLength(file, c.offset()), out, 0, out.length),
                        out.length);
            }
        };
    }

    private static void check(int produced, int expected) {
        if (produced != expected) {
            throw new IllegalStateException("decoded " + produced + " bytes, not " + expected);
        }
    }

    /** The compressed clusters of the active L1 table: offset and sector-granular length. */
    private static List<Cluster> compressedClusters(byte[] file, int clusterBits) {
        int l1Size = be32(file, 36);
        long l1Offset = be64(file, 40);
        int sizeShift = 62 - (clusterBits - 8);
        long offsetMask = (1L << sizeShift) - 1;
        long sectorsMask = (1L << (clusterBits - 8)) - 1;
        List<Cluster> clusters = new ArrayList<>();
        for (int i = 0; i < l1Size; i++) {
            long l2 = be64(file, (int) (l1Offset + 8L * i)) & 0x00ff_ffff_ffff_fe00L;
            for (int j = 0; l2 != 0 && j < (1 << clusterBits) / 8; j++) {
                long entry = be64(file, (int) (l2 + 8L * j));
                if ((entry & (1L << 62)) != 0) {
                    long host = entry & offsetMask;
                    long sectors = ((entry >>> sizeShift) & sectorsMask) + 1;
                    clusters.add(new Cluster((int) host, (int) Math.min(sectors * 512 - (host & 511), file.length - host)));
                }
            }
        }
        return clusters;
    }

    /** One zstd frame's length (qemu writes one per cluster, then padding), from its block headers. */
    private static int zstdFrameLength(byte[] d, int offset) {
        int p = offset + 4;
        int descriptor = d[p++] & 0xff;
        boolean singleSegment = (descriptor & 0x20) != 0;
        p += singleSegment ? 0 : 1;
        p += new int[] {0, 1, 2, 4}[descriptor & 3];
        int sizeFlag = descriptor >>> 6;
        p += sizeFlag == 0 ? (singleSegment ? 1 : 0) : new int[] {0, 2, 4, 8}[sizeFlag];
        boolean last = false;
        while (!last) {
            int header = (d[p] & 0xff) | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16;
            last = (header & 1) != 0;
            p += 3 + (((header >>> 1) & 3) == 1 ? 1 : header >>> 3);
        }
        return p + ((descriptor & 4) != 0 ? 4 : 0) - offset;
    }

    private static int be32(byte[] b, int offset) {
        return ByteBuffer.wrap(b, offset, 4).order(ByteOrder.BIG_ENDIAN).getInt();
    }

    private static long be64(byte[] b, int offset) {
        return ByteBuffer.wrap(b, offset, 8).order(ByteOrder.BIG_ENDIAN).getLong();
    }
}
