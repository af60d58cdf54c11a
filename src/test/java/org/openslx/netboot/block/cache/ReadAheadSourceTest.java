package org.openslx.netboot.block.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileSource;

class ReadAheadSourceTest {
    private static final ReadAheadSource.Options SMALL = new ReadAheadSource.Options(16 << 10, 8, 6);

    @TempDir
    Path dir;

    private byte[] image(int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Files.write(dir.resolve("image.raw"), bytes);
        return bytes;
    }

    private static byte[] read(BlockSource source, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        source.read(buffer, offset);
        assertThat(buffer.hasRemaining()).isFalse();
        return buffer.array();
    }

    private static byte[] expected(byte[] image, long offset, int length) {
        byte[] part = new byte[length];
        System.arraycopy(image, (int) offset, part, 0, length);
        return part;
    }

    @Test
    void sequentialReadsOfAnySizeReturnTheSourcesBytesUpToTheEnd() throws IOException {
        // An odd size: the last chunk is short.
        byte[] image = image((3 << 20) + 12345, 1);
        for (int step : new int[] {512, 4096, 5000, 128 << 10}) {
            try (var source = new ReadAheadSource(FileSource.openReadOnly(dir.resolve("image.raw")), SMALL)) {
                for (long at = 0; at < image.length; at += step) {
                    int length = (int) Math.min(step, image.length - at);
                    assertThat(read(source, at, length)).as("%d bytes at %d", length, at)
                            .isEqualTo(expected(image, at, length));
                }
            }
        }
    }

    @Test
    void sequentialReadsAreServedByFewerLargerReadsOfTheSource() throws IOException {
        byte[] image = image(2 << 20, 2);
        CountingSource counted = new CountingSource(FileSource.openReadOnly(dir.resolve("image.raw")));
        try (var source = new ReadAheadSource(counted, SMALL)) {
            for (long at = 0; at < image.length; at += 4096) {
                assertThat(read(source, at, 4096)).isEqualTo(expected(image, at, 4096));
            }
            assertThat(counted.reads.get()).as("source reads for 512 sequential 4 KiB reads").isLessThan(512 / 2);
            assertThat(source.statistics()).contains("MiB served from read-ahead");
        }
    }

    @Test
    void smallReadsWithinOneChunkFetchThatChunkOnceAndNothingAhead() throws IOException {
        // How the qcow2 decoder parses an image's header: field by field, each read continuing the last.
        byte[] image = image(2 << 20, 4);
        CountingSource counted = new CountingSource(FileSource.openReadOnly(dir.resolve("image.raw")));
        try (var source = new ReadAheadSource(counted, SMALL)) {
            long[][] reads = {{0, 4}, {0, 72}, {0, 104}, {0, 112}, {112, 8}, {120, 384}, {504, 8}};
            long asked = 0;
            for (long[] r : reads) {
                assertThat(read(source, r[0], (int) r[1])).isEqualTo(expected(image, r[0], (int) r[1]));
                asked += r[1];
            }
            // The first read alone, then its chunk once for the reads that follow it.
            assertThat(counted.bytes.get()).as("bytes the source read for %d bytes of header reads", asked)
                    .isEqualTo(4 + SMALL.chunkBytes());
            assertThat(counted.reads.get()).isEqualTo(2);
        }
    }

    @Test
    void interleavedSequentialReadersNeverMakeTheSourceReadTheSameBytesTwice() throws IOException {
        byte[] image = image(4 << 20, 7);
        CountingSource counted = new CountingSource(FileSource.openReadOnly(dir.resolve("image.raw")));
        try (var source = new ReadAheadSource(counted, SMALL)) {
            long[] at = {0, 1 << 20, 2 << 20, 3 << 20};
            long served = 0;
            for (int round = 0; round < 200; round++) {
                for (int reader = 0; reader < at.length; reader++) {
                    assertThat(read(source, at[reader], 5000)).isEqualTo(expected(image, at[reader], 5000));
                    at[reader] += 5000;
                    served += 5000;
                }
            }
            // Chunk alignment may fetch up to a chunk around each reader's range, plus the window ahead.
            long slack = (long) at.length * (SMALL.maxWindowChunks() + 2) * SMALL.chunkBytes();
            assertThat(counted.bytes.get()).as("bytes the source read for %d bytes served", served)
                    .isLessThanOrEqualTo(served + slack);
        }
    }

    @Test
    void concurrentSequentialAndRandomReadsAreByteExactAndBuffersStayWithinTheBound() throws Exception {
        byte[] image = image(4 << 20, 3);
        try (var source = new ReadAheadSource(FileSource.openReadOnly(dir.resolve("image.raw")), SMALL)) {
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int reader = t;
                readers.add(Thread.ofPlatform().start(() -> {
                    Random random = new Random(100 + reader);
                    try {
                        long at = random.nextInt(image.length);
                        for (int i = 0; i < 400; i++) {
                            boolean sequential = reader % 2 == 0;
                            int length = 1 + random.nextInt(sequential ? 70_000 : 20_000);
                            long offset = sequential ? at : random.nextInt(image.length);
                            if (offset + length > image.length) {
                                offset = 0;
                            }
                            assertThat(read(source, offset, length)).as("%d bytes at %d", length, offset)
                                    .isEqualTo(expected(image, offset, length));
                            at = offset + length;
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(failures).isEmpty();
            assertThat(source.buffersAllocated()).isLessThanOrEqualTo(SMALL.maxChunks());
        }
    }

    @Test
    void readsIntoDirectBuffersAtAPositionFillExactlyTheirRemainingBytes() throws IOException {
        byte[] image = image(1 << 20, 4);
        try (var source = new ReadAheadSource(FileSource.openReadOnly(dir.resolve("image.raw")), SMALL)) {
            for (long at = 0; at < 200_000; at += 10_000) {
                read(source, at, 10_000); // make the stream sequential
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(30_000).position(100).limit(20_100);
            source.read(buffer, 200_000);
            assertThat(buffer.position()).isEqualTo(20_100);
            byte[] got = new byte[20_000];
            buffer.get(100, got);
            assertThat(got).isEqualTo(expected(image, 200_000, 20_000));
        }
    }

    @Test
    void aFailingRangeFailsOnlyTheReadsThatCoverItWithTheSourcesOwnError() throws IOException {
        byte[] image = image(1 << 20, 5);
        long badStart = 300_000;
        long badEnd = 310_000;
        var failing = new FailingRange(FileSource.openReadOnly(dir.resolve("image.raw")), badStart, badEnd);
        try (var source = new ReadAheadSource(failing, SMALL)) {
            int step = 8192;
            int failed = 0;
            for (long at = 0; at + step <= image.length; at += step) {
                long offset = at;
                if (offset < badEnd && offset + step > badStart) {
                    assertThatThrownBy(() -> read(source, offset, step)).isInstanceOf(IOException.class)
                            .hasMessageContaining("bad sector test range");
                    failed++;
                } else {
                    assertThat(read(source, offset, step)).as("%d bytes at %d", step, offset)
                            .isEqualTo(expected(image, offset, step));
                }
            }
            assertThat(failed).isEqualTo(2);
            assertThat(failing.failures.get()).as("the read-ahead did hit the bad range").isPositive();
            // The range heals (a server came back): the next read of it succeeds, nothing stale is kept.
            failing.healed = true;
            assertThat(read(source, badStart, 4096)).isEqualTo(expected(image, badStart, 4096));
        }
    }

    @Test
    void readsOutsideTheSourceAndAfterCloseFailWithAClearMessage() throws IOException {
        image(100_000, 6);
        var source = new ReadAheadSource(FileSource.openReadOnly(dir.resolve("image.raw")), SMALL);
        assertThatThrownBy(() -> read(source, 99_000, 2000)).isInstanceOf(IOException.class)
                .hasMessageContaining("outside the source");
        source.close();
        assertThatThrownBy(() -> read(source, 0, 10)).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void optionsRejectChunkSizesThatAreNotPowersOfTwoAndWindowsLargerThanTheBound() {
        assertThatThrownBy(() -> new ReadAheadSource.Options(5000, 8, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> new ReadAheadSource.Options(4096, 4, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Counts the reads that reach the source below. */
    private static final class CountingSource extends Wrapper {
        final AtomicInteger reads = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();

        CountingSource(BlockSource next) {
            super(next);
        }

        @Override
        public void read(ByteBuffer dst, long offset) throws IOException {
            reads.incrementAndGet();
            bytes.addAndGet(dst.remaining());
            next.read(dst, offset);
        }
    }

    /**
     * A source with a range that fails like an unreachable server. A fault injector, because no
     * real source fails on a chosen range on demand.
     */
    private static final class FailingRange extends Wrapper {
        final long start;
        final long end;
        final AtomicLong failures = new AtomicLong();
        volatile boolean healed;

        FailingRange(BlockSource next, long start, long end) {
            super(next);
            this.start = start;
            this.end = end;
        }

        @Override
        public void read(ByteBuffer dst, long offset) throws IOException {
            if (!healed && offset < end && offset + dst.remaining() > start) {
                failures.incrementAndGet();
                throw new IOException("bad sector test range at offset " + offset);
            }
            next.read(dst, offset);
        }
    }

    private abstract static class Wrapper implements BlockSource {
        final BlockSource next;

        Wrapper(BlockSource next) {
            this.next = next;
        }

        @Override
        public long size() {
            return next.size();
        }

        @Override
        public String describe() {
            return next.describe();
        }

        @Override
        public void close() throws IOException {
            next.close();
        }
    }
}
