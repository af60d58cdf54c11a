package org.openslx.netboot.nbd;

import static org.openslx.netboot.nbd.NbdProtocol.*;

import java.io.IOException;

/**
 * One transmission-phase request header. {@code offset} is unsigned on the wire: a negative
 * value here means an offset of 2^63 or more, which no export reaches. {@code length} is the
 * unsigned 32-bit length widened to a long.
 */
record Request(short flags, short type, long handle, long offset, long length) {

    /** Reads the 28-byte header that follows a magic already known to start a message. */
    static Request read(ChannelReader in) throws IOException {
        int magic = in.readInt();
        if (magic != REQUEST_MAGIC) {
            throw new ProtocolViolation(String.format(
                    "a request with bad magic 0x%08x (expected 0x%08x)", magic, REQUEST_MAGIC));
        }
        short flags = in.readShort();
        short type = in.readShort();
        long handle = in.readLong();
        long offset = in.readLong();
        long length = Integer.toUnsignedLong(in.readInt());
        return new Request(flags, type, handle, offset, length);
    }

    /** Whether {@code [offset, offset + length)} lies inside an export of {@code size} bytes. */
    boolean fitsIn(long size) {
        return offset >= 0 && offset <= size && length <= size - offset;
    }

    String describe() {
        return commandName(type) + " of " + length + " bytes at offset " + Long.toUnsignedString(offset);
    }
}
