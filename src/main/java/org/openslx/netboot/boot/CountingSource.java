package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.openslx.netboot.block.BlockSource;

/** A pass-through filter that counts what is read from the layer below (bytes fetched). */
final class CountingSource implements BlockSource {
    private final BlockSource next;
    private final LongAdder bytes = new LongAdder();
    private final LongAdder reads = new LongAdder();

    CountingSource(BlockSource next) {
        this.next = next;
    }

    long bytesRead() {
        return bytes.sum();
    }

    long reads() {
        return reads.sum();
    }

    @Override
    public long size() {
        return next.size();
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        int length = dst.remaining();
        next.read(dst, offset);
        bytes.add(length);
        reads.increment();
    }

    @Override
    public String describe() {
        return next.describe();
    }

    @Override
    public boolean canMultiConn() {
        return next.canMultiConn();
    }

    @Override
    public void close() throws IOException {
        next.close();
    }
}
