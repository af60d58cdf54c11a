package org.openslx.netboot.block.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.ExternalCommand;
import org.openslx.netboot.block.FileMapped;
import org.openslx.netboot.block.FileSource;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.cli.Main;

/**
 * Every qcow2 variant the decoder supports, made by qemu-img/qemu-io, read back through
 * {@link Sources#open} and {@code slx image cat}, compared byte for byte with
 * {@code qemu-img convert -O raw}.
 */
class Qcow2CorpusTest {
    @TempDir
    static Path dir;

    private static final Qcow2Corpus.Cache CORPUS = new Qcow2Corpus.Cache();

    static Stream<Qcow2Corpus.Variant> variants() {
        return Qcow2Corpus.variants().stream();
    }

    private static Qcow2Corpus.Image image(Qcow2Corpus.Variant variant) {
        return CORPUS.image(variant, dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void readingTheWholeImageEqualsQemuImgConvert(Qcow2Corpus.Variant variant) throws IOException {
        Qcow2Corpus.Image image = image(variant);
        byte[] expected = image.expected();
        try (BlockSource source = Sources.open(image.qcow2().toString(), null)) {
            assertThat(source).isInstanceOf(Qcow2Source.class);
            assertThat(source.size()).isEqualTo(expected.length);
            byte[] actual = new byte[expected.length];
            for (int offset = 0; offset < actual.length; offset += 1 << 20) {
                int length = Math.min(1 << 20, actual.length - offset);
                source.read(ByteBuffer.wrap(actual, offset, length), offset);
            }
            assertSameBytes(actual, expected, variant + " read in 1 MiB chunks");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void unalignedReadsAnywhereEqualQemuImgConvert(Qcow2Corpus.Variant variant) throws IOException {
        Qcow2Corpus.Image image = image(variant);
        byte[] expected = image.expected();
        Random random = new Random(variant.name().hashCode());
        try (BlockSource source = Sources.open(image.qcow2().toString(), null)) {
            for (int i = 0; i < 200; i++) {
                int length = 1 + random.nextInt(Math.min(expected.length, 150_000));
                long offset = random.nextLong(expected.length - length + 1);
                ByteBuffer buffer = random.nextBoolean() ? ByteBuffer.allocate(length)
                        : ByteBuffer.allocateDirect(length);
                source.read(buffer, offset);
                byte[] actual = new byte[length];
                buffer.flip().get(actual);
                assertSameBytes(actual, java.util.Arrays.copyOfRange(expected, (int) offset, (int) offset + length),
                        variant + " read of " + length + " bytes at " + offset);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void concurrentReadersWithTinyCachesSeeQemuImgConvertBytes(Qcow2Corpus.Variant variant)
            throws Exception {
        Qcow2Corpus.Image image = image(variant);
        byte[] expected = image.expected();
        // Caches of one entry's worth force constant eviction while eight threads read.
        try (BlockSource source = Sources.open(image.qcow2().toString(), null, new Qcow2Options(0, 0));
                ExecutorService threads = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                done.add(threads.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 30; i++) {
                        int length = 1 + random.nextInt(150_000);
                        int offset = random.nextInt(expected.length - length + 1);
                        ByteBuffer buffer = ByteBuffer.allocate(length);
                        source.read(buffer, offset);
                        assertSameBytes(buffer.array(),
                                java.util.Arrays.copyOfRange(expected, offset, offset + length),
                                variant + " concurrent read at " + offset);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theJavaDecodersReadTheSameBytesAsTheNativeOnes(Qcow2Corpus.Variant variant) throws IOException {
        Qcow2Corpus.Image image = image(variant);
        byte[] expected = image.expected();
        Compression compression;
        try (Qcow2Source probe = Qcow2Source.open(FileSource.openReadOnly(image.qcow2()), Qcow2Options.DEFAULTS)) {
            compression = probe.header().compression();
        }
        try (Qcow2Source source = Qcow2Source.open(FileSource.openReadOnly(image.qcow2()), Qcow2Options.DEFAULTS,
                Decompressors.javaOnly(compression))) {
            ByteBuffer all = ByteBuffer.allocateDirect(expected.length);
            source.read(all, 0);
            byte[] actual = new byte[expected.length];
            all.flip().get(actual);
            assertSameBytes(actual, expected, variant + " with the Java decoders, read whole");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void fileMappedPiecesHoldQemuImgConvertBytes(Qcow2Corpus.Variant variant) throws IOException {
        Qcow2Corpus.Image image = image(variant);
        byte[] expected = image.expected();
        String name = variant.name();
        Random random = new Random(name.hashCode() + 1);
        try (Qcow2Source source = Qcow2Source.open(FileSource.openReadOnly(image.qcow2()), Qcow2Options.DEFAULTS)) {
            boolean compressed = name.contains("zlib") || name.contains("zstd");
            if (compressed) {
                assertThat(source.piecesOf(0, expected.length)).as(name + ": compressed clusters are not in the file")
                        .isNull();
            } else if (!name.endsWith("-512")) {
                assertThat(source.piecesOf(0, expected.length)).as(name + ": whole image mapped").isNotNull();
            }
            for (int i = 0; i < 100; i++) {
                int length = i == 0 ? expected.length : 1 + random.nextInt(Math.min(expected.length, 300_000));
                long offset = i == 0 ? 0 : random.nextLong(expected.length - length + 1);
                List<FileMapped.Piece> pieces = source.piecesOf(offset, length);
                if (pieces == null) {
                    continue;
                }
                ByteBuffer assembled = ByteBuffer.allocate(length);
                for (FileMapped.Piece piece : pieces) {
                    switch (piece) {
                        case FileMapped.InFile stored -> {
                            ByteBuffer part = assembled.slice(assembled.position(), (int) stored.length());
                            while (part.hasRemaining()) {
                                assertThat(stored.file().read(part, stored.position() + part.position()))
                                        .isPositive();
                            }
                        }
                        case FileMapped.Zeros zeros -> assertThat(zeros.length()).isPositive();
                    }
                    assembled.position(assembled.position() + (int) piece.length());
                }
                assertThat(assembled.position()).as("pieces cover the range").isEqualTo(length);
                assertSameBytes(assembled.array(),
                        java.util.Arrays.copyOfRange(expected, (int) offset, (int) offset + length),
                        variant + " pieces of " + length + " bytes at " + offset);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void imageCatOutputEqualsQemuImgConvert(Qcow2Corpus.Variant variant) throws IOException {
        Qcow2Corpus.Image image = image(variant);
        Path out = dir.resolve(variant.name() + ".cat");
        int exit = runWithStdout(out, "image", "cat", image.qcow2().toString());
        assertThat(exit).isZero();
        assertSameBytes(Files.readAllBytes(out), image.expected(), "slx image cat " + variant);
    }

    /**
     * In its own process {@code slx image cat} writes to descriptor 1 directly (sendfile for data
     * clusters), not through System.out as in the test above: to a file and to a pipe.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v3-64k", "extended-l2-64k", "zlib-64k", "zstd-64k"})
    void imageCatInItsOwnProcessWritesQemuImgConvertBytesToAFileAndAPipe(String name) throws Exception {
        Qcow2Corpus.Image image = image(Qcow2Corpus.variants().stream()
                .filter(v -> v.name().equals(name)).findFirst().orElseThrow());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "image", "cat", image.qcow2().toString());
        Path file = dir.resolve(name + ".process.cat");
        Process toFile = new ProcessBuilder(command).redirectOutput(file.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(toFile.waitFor()).isZero();
        assertSameBytes(Files.readAllBytes(file), image.expected(), "slx image cat " + name + " > file");
        Process toPipe = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] piped = toPipe.getInputStream().readAllBytes();
        assertThat(toPipe.waitFor()).isZero();
        assertSameBytes(piped, image.expected(), "slx image cat " + name + " | reader");
    }

    @Test
    void corpusImagesHoldWhatTheirNamesPromise() throws IOException {
        for (Qcow2Corpus.Variant variant : Qcow2Corpus.variants()) {
            Qcow2Corpus.Image image = image(variant);
            String name = variant.name();
            try (Qcow2Source source = Qcow2Source.open(FileSource.openReadOnly(image.qcow2()),
                    Qcow2Options.DEFAULTS)) {
                Qcow2Header header = source.header();
                String map = ExternalCommand.run("qemu-img", "map", "--output=json", image.qcow2().toString());
                assertThat(header.version()).as(name).isEqualTo(name.contains("v2") ? 2 : 3);
                assertThat(header.extendedL2()).as(name).isEqualTo(name.contains("extended-l2"));
                assertThat(header.compression()).as(name)
                        .isEqualTo(name.contains("zstd") ? Compression.ZSTD : Compression.ZLIB);
                if (name.contains("zlib") || name.contains("zstd")) {
                    // qemu-img map lists compressed data without a host offset.
                    assertThat(map).as(name + " has compressed clusters")
                            .containsPattern("\"data\": true\\}");
                }
                assertThat(source.snapshots()).as(name).hasSize(name.startsWith("snapshots") ? 2 : 0);
                assertThat(header.dirty()).as(name).isEqualTo(name.startsWith("dirty"));
                int clusterSize = name.endsWith("-512") ? 512 : name.endsWith("-4k") ? 4096
                        : name.endsWith("-16k") ? 16384 : name.endsWith("-2m") ? 2 << 20 : 65536;
                assertThat(header.clusterSize()).as(name).isEqualTo(clusterSize);
            }
        }
    }

    static int runWithStdout(Path file, String... args) throws IOException {
        PrintStream original = System.out;
        try (PrintStream redirected = new PrintStream(new FileOutputStream(file.toFile()), false)) {
            System.setOut(redirected);
            return Main.run(args);
        } finally {
            System.setOut(original);
        }
    }

    static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        assertThat(actual.length).as(what + ": length").isEqualTo(expected.length);
        int mismatch = java.util.Arrays.mismatch(actual, expected);
        if (mismatch >= 0) {
            ByteArrayOutputStream context = new ByteArrayOutputStream();
            context.writeBytes(("first difference at byte " + mismatch + ": got 0x"
                    + Integer.toHexString(actual[mismatch] & 0xff) + ", qemu says 0x"
                    + Integer.toHexString(expected[mismatch] & 0xff)).getBytes());
            throw new AssertionError(what + ": " + context);
        }
    }
}
