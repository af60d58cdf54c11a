package org.openslx.netboot.block.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.airlift.compress.v3.zstd.ZstdJavaCompressor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every cluster decoder, native and Java, gives the same verdict on the same bytes: whole
 * clusters restored, with input and output on or off the Java heap; short or foreign streams
 * reported, never padded with zeros. (qemu's own images are decoded in Qcow2CorpusTest.)
 */
class ClusterDecompressorsTest {
    private static final int CLUSTER = 65536;

    record Decoder(String name, Compression compression, ClusterDecompressor decompressor) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Decoder> decoders() {
        List<Decoder> all = new ArrayList<>();
        all.add(new Decoder("zlib, java.util.zip", Compression.ZLIB, new InflateDecompressor()));
        LibdeflateDecompressor libdeflate = LibdeflateDecompressor.load(new InflateDecompressor());
        if (libdeflate != null) {
            all.add(new Decoder("zlib, libdeflate", Compression.ZLIB, libdeflate));
        }
        all.add(new Decoder("zstd, aircompressor", Compression.ZSTD, ZstdClusterDecompressor.java()));
        ZstdClusterDecompressor libzstd = ZstdClusterDecompressor.libzstd();
        if (libzstd != null) {
            all.add(new Decoder("zstd, libzstd", Compression.ZSTD, libzstd));
        }
        return all.stream();
    }

    /** Compressible, not trivial: text-like runs with random bytes in between. */
    private static byte[] content(int length, long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = random.nextInt(8) == 0 ? (byte) random.nextInt() : (byte) ('a' + i % 23);
        }
        return bytes;
    }

    private static byte[] compress(Compression compression, byte[] content) {
        return switch (compression) {
            case ZLIB -> {
                Deflater deflater = new Deflater(6, true);
                deflater.setInput(content);
                deflater.finish();
                byte[] out = new byte[content.length * 2 + 64];
                int length = deflater.deflate(out);
                deflater.end();
                yield Arrays.copyOf(out, length);
            }
            case ZSTD -> {
                ZstdJavaCompressor compressor = new ZstdJavaCompressor();
                byte[] out = new byte[compressor.maxCompressedLength(content.length)];
                yield Arrays.copyOf(out, compressor.compress(content, 0, content.length, out, 0, out.length));
            }
        };
    }

    /** The stream followed by what qemu leaves after it: the rest of the sector, here garbage. */
    private static byte[] padded(byte[] stream) {
        byte[] input = Arrays.copyOf(stream, (stream.length / 512 + 1) * 512);
        Arrays.fill(input, stream.length, input.length, (byte) 0x5a);
        return input;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void restoresAClusterFollowedByPaddingOnAndOffTheHeap(Decoder decoder) {
        byte[] cluster = content(CLUSTER, 1);
        byte[] input = padded(compress(decoder.compression(), cluster));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeInput = arena.allocate(input.length);
            MemorySegment.copy(input, 0, nativeInput, ValueLayout.JAVA_BYTE, 0, input.length);
            for (MemorySegment in : List.of(MemorySegment.ofArray(input), nativeInput)) {
                byte[] heapOut = new byte[CLUSTER];
                assertThat(decoder.decompressor().decompress(in, MemorySegment.ofArray(heapOut))).isNull();
                assertThat(heapOut).isEqualTo(cluster);
                MemorySegment nativeOut = arena.allocate(CLUSTER);
                assertThat(decoder.decompressor().decompress(in, nativeOut)).isNull();
                assertThat(nativeOut.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(cluster);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void reportsAStreamThatEndsBeforeTheClusterIsFull(Decoder decoder) {
        byte[] input = padded(compress(decoder.compression(), content(1000, 2)));
        String problem = decoder.decompressor().decompress(MemorySegment.ofArray(input),
                MemorySegment.ofArray(new byte[4096]));
        assertThat(problem).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void reportsForeignBytes(Decoder decoder) {
        byte[] garbage = new byte[4096];
        new Random(3).nextBytes(garbage);
        garbage[0] = (byte) 0xff; // not a valid deflate block type, not a zstd magic
        garbage[1] = (byte) 0xff;
        String problem = decoder.decompressor().decompress(MemorySegment.ofArray(garbage),
                MemorySegment.ofArray(new byte[CLUSTER]));
        assertThat(problem).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void concurrentDecodesDoNotMixTheirState(Decoder decoder) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            long seed = 10 + t;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    byte[] cluster = content(CLUSTER, seed);
                    byte[] input = padded(compress(decoder.compression(), cluster));
                    for (int i = 0; i < 20; i++) {
                        byte[] out = new byte[CLUSTER];
                        assertThat(decoder.decompressor().decompress(MemorySegment.ofArray(input),
                                MemorySegment.ofArray(out))).isNull();
                        assertThat(out).isEqualTo(cluster);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void deflateStreamGoingOnPastTheClusterFillsItAsQemuDoes() {
        // qemu (zlib) takes a full cluster and ignores the rest of the stream; libdeflate would
        // refuse such a stream, so its decoder hands it to zlib.
        byte[] twoClusters = content(2 * CLUSTER, 4);
        byte[] input = padded(compress(Compression.ZLIB, twoClusters));
        decoders().filter(d -> d.compression() == Compression.ZLIB).forEach(decoder -> {
            byte[] out = new byte[CLUSTER];
            assertThat(decoder.decompressor().decompress(MemorySegment.ofArray(input), MemorySegment.ofArray(out)))
                    .as(decoder.name()).isNull();
            assertThat(out).as(decoder.name()).isEqualTo(Arrays.copyOf(twoClusters, CLUSTER));
        });
    }

    @Test
    void nativeDecodersAreChosenWhereTheirLibrariesAreInstalled() {
        Path lib = Path.of("/usr/lib/x86_64-linux-gnu");
        assumeTrue(Files.exists(lib.resolve("libzstd.so.1")) && Files.exists(lib.resolve("libdeflate.so.0")),
                "libzstd1 and libdeflate0 are installed (scripts/install-deps.sh)");
        assertThat(Decompressors.of(Compression.ZSTD).describe()).contains("libzstd.so.1");
        assertThat(Decompressors.of(Compression.ZLIB).describe()).contains("libdeflate.so.0");
    }
}
