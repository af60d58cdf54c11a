package org.openslx.netboot.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import org.openslx.netboot.block.BlockSource;

/**
 * Sources with behaviour a real file cannot be made to show on demand: failing at a given
 * offset (a corrupt qcow2 cluster, a lost dnbd3 server) or being slow for one request. They
 * delegate real reads to a real file; only the failure or the wait is staged.
 */
final class TestSources {
    private TestSources() {
    }

    /**
     * Hides that a source is a plain file, so the server takes the path every filter takes
     * (read into a buffer, then send) rather than sendfile.
     */
    static BlockSource filter(BlockSource inner) {
        return new Delegate(inner);
    }

    /** Reads touching {@code [badOffset, badOffset + badLength)} fail like a broken disk. */
    static BlockSource failingAt(BlockSource inner, long badOffset, long badLength) {
        return new Delegate(inner) {
            @Override
            public void read(ByteBuffer dst, long offset) throws IOException {
                if (offset < badOffset + badLength && badOffset < offset + dst.remaining()) {
                    throw new IOException(describe() + ": staged read error at offset " + badOffset);
                }
                inner.read(dst, offset);
            }
        };
    }

    /** Reads at offset 0 wait until {@code gate} opens; all others proceed at once. */
    static BlockSource gatedAtZero(BlockSource inner, CountDownLatch gate) {
        return new Delegate(inner) {
            @Override
            public void read(ByteBuffer dst, long offset) throws IOException {
                if (offset == 0) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
                inner.read(dst, offset);
            }
        };
    }

    /** A writable source that can also trim (trimmed ranges read as zeros). */
    static BlockSource trimming(BlockSource writableInner) {
        return new Delegate(writableInner) {
            @Override
            public boolean canTrim() {
                return true;
            }

            @Override
            public void trim(long offset, long length) throws IOException {
                checkRange(offset, length);
                write(ByteBuffer.allocate((int) length), offset);
            }
        };
    }

    private static class Delegate implements BlockSource {
        final BlockSource inner;

        Delegate(BlockSource inner) {
            this.inner = inner;
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public void read(ByteBuffer dst, long offset) throws IOException {
            inner.read(dst, offset);
        }

        @Override
        public String describe() {
            return "test source over " + inner.describe();
        }

        @Override
        public boolean canWrite() {
            return inner.canWrite();
        }

        @Override
        public void write(ByteBuffer src, long offset) throws IOException {
            inner.write(src, offset);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }
}
