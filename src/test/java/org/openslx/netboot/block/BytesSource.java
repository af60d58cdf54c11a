package org.openslx.netboot.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A byte array as a source, for tests that mutate images in memory. A read outside the array
 * is a bug in the layer above (it must check offsets first), so it fails the test with an
 * {@link AssertionError} rather than an IOException the layer could pass off as a clean error.
 */
public final class BytesSource implements BlockSource {
    private final byte[] bytes;
    private final String name;

    public BytesSource(byte[] bytes, String name) {
        this.bytes = bytes;
        this.name = name;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        if (offset < 0 || offset > bytes.length || dst.remaining() > bytes.length - offset) {
            throw new AssertionError(name + ": read of " + dst.remaining() + " bytes at " + offset
                    + " outside the image (size " + bytes.length + ") was not checked by the caller");
        }
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public void close() {
    }
}
