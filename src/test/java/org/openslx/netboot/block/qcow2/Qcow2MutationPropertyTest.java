package org.openslx.netboot.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.BytesSource;
import org.openslx.netboot.block.ExternalCommand;

/**
 * Random damage to headers and tables of real qemu images: opening and reading may fail, but
 * only with an IOException, within seconds, without reading outside the file (the in-memory
 * source turns such a read into an AssertionError) and without running out of memory.
 */
class Qcow2MutationPropertyTest {
    /** Image areas a mutation aims at; the tables are where the dangerous numbers are. */
    enum Region { HEADER, L1_TABLE, L2_TABLE, REFCOUNT_TABLE, SNAPSHOT_TABLE, ANYWHERE }

    record Base(String name, byte[] bytes, long[][] regions) {
    }

    record Edit(int position, int width, long value) {
    }

    record Mutation(int base, Region region, List<Edit> edits) {
    }

    private static Path dir;
    private static final List<Base> BASES = new ArrayList<>();

    @BeforeContainer
    static void makeBaseImages() throws IOException {
        dir = Files.createTempDirectory("qcow2-mutation");
        BASES.add(base("zlib-64k", "cluster_size=65536", List.of("write -P 0xa1 0 64k",
                "write -c -P 0xb2 64k 64k", "write -c -P 0xb3 128k 64k", "write -z 192k 64k",
                "write -P 0xa4 1M 4k")));
        BASES.add(base("zstd-extended-l2-16k", "cluster_size=16384,extended_l2=on,compression_type=zstd",
                List.of("write -P 0xa1 0 2k", "write -c -P 0xb2 16k 16k", "write -z 40k 4k",
                        "write -P 0xa4 1M 20k")));
        BASES.add(base("v2-512", "compat=0.10,cluster_size=512", List.of("write -P 0xa1 0 4k",
                "write -c -P 0xb2 4k 512", "write -c -P 0xb3 4608 512", "write -P 0xa4 1M 4k")));
    }

    @AfterContainer
    static void removeBaseImages() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static Base base(String name, String options, List<String> writes) throws IOException {
        Path image = dir.resolve(name + ".qcow2");
        Qcow2Corpus.create(image, options, 4L << 20);
        Qcow2Corpus.io(image, writes);
        ExternalCommand.run("qemu-img", "snapshot", "-c", "s1", image.toString());
        Qcow2Corpus.io(image, List.of("write -P 0xc5 8k 4k"));
        byte[] bytes = Files.readAllBytes(image);
        ByteBuffer header = ByteBuffer.wrap(bytes);
        int clusterSize = 1 << header.getInt(20);
        long l1 = header.getLong(40);
        long l2 = header.getLong((int) l1) & 0x00ff_ffff_ffff_fe00L;
        long[][] regions = new long[Region.values().length][];
        regions[Region.HEADER.ordinal()] = new long[] {0, 512};
        regions[Region.L1_TABLE.ordinal()] = new long[] {l1, 8L * header.getInt(36)};
        regions[Region.L2_TABLE.ordinal()] = new long[] {l2, clusterSize};
        regions[Region.REFCOUNT_TABLE.ordinal()] = new long[] {header.getLong(48), clusterSize};
        regions[Region.SNAPSHOT_TABLE.ordinal()] = new long[] {header.getLong(64), 128};
        regions[Region.ANYWHERE.ordinal()] = new long[] {0, bytes.length};
        return new Base(name, bytes, regions);
    }

    @Property(tries = 600, edgeCases = EdgeCasesMode.NONE)
    void damagedImagesFailOnlyWithIOException(@ForAll("mutations") Mutation mutation) {
        Base base = BASES.get(mutation.base());
        byte[] image = mutate(base, mutation);
        String outcome = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try {
                readAsMuchAsSensible(image, base.name());
                return "read everything";
            } catch (IOException expected) {
                // A clean refusal; its wording is checked in Qcow2HostileImageTest. The statistics
                // show which checks fired: the message's first words, numbers blanked out.
                return expected.getMessage().replaceFirst("^[^:]*: ", "").replaceAll("0x[0-9a-f]+|[0-9]+", "N")
                        .replaceFirst("^(\\S+ \\S+ \\S+).*", "$1");
            }
        });
        Statistics.collect(outcome);
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Edit> edit = Combinators.combine(
                Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.of(1, 2, 4, 8),
                Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.longs()),
                        Tuple.of(2, Arbitraries.of(0L, -1L, 1L, 1L << 62, 1L << 63,
                                (1L << 63) | (1L << 62), 0x7fff_ffffL, 0xffff_ffffL, 512L, 1L << 40)),
                        Tuple.of(2, Arbitraries.longs().between(0, 1 << 22))))
                .as(Edit::new);
        return Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.of(Region.class),
                edit.list().ofMinSize(1).ofMaxSize(6))
                .as(Mutation::new);
    }

    private static byte[] mutate(Base base, Mutation mutation) {
        byte[] image = base.bytes().clone();
        long[] region = base.regions()[mutation.region().ordinal()];
        ByteBuffer buffer = ByteBuffer.wrap(image);
        for (Edit edit : mutation.edits()) {
            long span = Math.max(1, Math.min(region[1], image.length - region[0]) - edit.width());
            int at = (int) (region[0] + Math.floorMod(edit.position(), span));
            if (at < 0 || at + edit.width() > image.length) {
                continue;
            }
            switch (edit.width()) {
                case 1 -> buffer.put(at, (byte) edit.value());
                case 2 -> buffer.putShort(at, (short) edit.value());
                case 4 -> buffer.putInt(at, (int) edit.value());
                default -> buffer.putLong(at, edit.value());
            }
        }
        return image;
    }

    /** Opens, lists snapshots, and reads everything (or, for a huge claimed size, samples). */
    private static void readAsMuchAsSensible(byte[] image, String name) throws IOException {
        try (Qcow2Source source = Qcow2Source.open(new BytesSource(image, name), Qcow2Options.DEFAULTS)) {
            source.snapshots();
            long size = source.size();
            List<long[]> reads = new ArrayList<>();
            if (size <= 8 << 20) {
                for (long offset = 0; offset < size; offset += 1 << 20) {
                    reads.add(new long[] {offset, Math.min(1 << 20, size - offset)});
                }
            } else {
                reads.add(new long[] {0, 1 << 20});
                reads.add(new long[] {size - (1 << 20), 1 << 20});
                reads.add(new long[] {size / 2, 65536});
            }
            for (long[] read : reads) {
                ((BlockSource) source).read(ByteBuffer.allocate((int) read[1]), read[0]);
            }
        }
    }
}
