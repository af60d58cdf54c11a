package org.openslx.netboot.dnbd3.protocol;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The 24-byte request header: magic, u16 command, u32 size, u56 offset, u8 hops, u64 handle
 * (all little-endian; the handle's 8 bytes travel verbatim and come back in the reply).
 *
 * @param command wire id of the command (see {@link Command}); unknown ids are kept
 * @param size GET_BLOCK: bytes wanted; other commands: length of the payload that follows (u32)
 * @param offset byte offset into the image (56 bits)
 * @param hops the hop byte: proxy hop count in the low 6 bits plus flags; 0 from ordinary clients
 * @param handle opaque, echoed in the reply
 */
public record RequestHeader(int command, long size, long offset, int hops, long handle) {

    public RequestHeader {
        if (command < 0 || command > 0xffff) {
            throw new IllegalArgumentException("command id " + command + " does not fit in 16 bits");
        }
        if (size < 0 || size > 0xffff_ffffL) {
            throw new IllegalArgumentException("request size " + size + " does not fit in 32 bits");
        }
        if (offset < 0 || offset > Dnbd3Protocol.MAX_OFFSET) {
            throw new IllegalArgumentException("offset " + offset + " does not fit in 56 bits");
        }
        if (hops < 0 || hops > 0xff) {
            throw new IllegalArgumentException("hop byte " + hops + " does not fit in 8 bits");
        }
    }

    /** A GET_BLOCK request for {@code size} bytes at {@code offset}. */
    public static RequestHeader getBlock(long offset, long size, long handle) {
        return new RequestHeader(Command.GET_BLOCK.id(), size, offset, 0, handle);
    }

    /** A request without offset: SELECT_IMAGE (with its payload size) or an empty command. */
    public static RequestHeader of(Command command, int payloadSize, long handle) {
        return new RequestHeader(command.id(), payloadSize, 0, 0, handle);
    }

    /** The command, if its id is a known one. */
    public Optional<Command> knownCommand() {
        return Command.of(command);
    }

    /** Whether this is the given command. */
    public boolean is(Command c) {
        return command == c.id();
    }

    /** Writes the 24 bytes at dst's position and advances it. */
    public void encode(ByteBuffer dst) {
        dst.put(Dnbd3Protocol.MAGIC_0).put(Dnbd3Protocol.MAGIC_1);
        LittleEndian.putShort(dst, command);
        LittleEndian.putInt(dst, (int) size);
        LittleEndian.putLong(dst, offset | (long) hops << 56);
        LittleEndian.putLong(dst, handle);
    }

    /** The 24 bytes in a fresh buffer, ready to be written. */
    public ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(Dnbd3Protocol.REQUEST_SIZE);
        encode(buffer);
        return buffer.flip();
    }

    /**
     * Reads 24 bytes from src's position. The offset is the low 56 bits of the 64-bit field, the
     * hop byte its top byte, as the reference server reads them.
     *
     * @throws ProtocolException if fewer than 24 bytes remain or the magic is wrong
     */
    public static RequestHeader decode(ByteBuffer src) throws ProtocolException {
        if (src.remaining() < Dnbd3Protocol.REQUEST_SIZE) {
            throw new ProtocolException("request header truncated: " + src.remaining() + " of "
                    + Dnbd3Protocol.REQUEST_SIZE + " bytes");
        }
        int magic = LittleEndian.getUnsignedShort(src);
        if (magic != Dnbd3Protocol.MAGIC) {
            src.position(src.position() + Dnbd3Protocol.REQUEST_SIZE - 2);
            throw new ProtocolException(String.format("request header has bad magic 0x%04x (expected 0x%04x)",
                    magic, Dnbd3Protocol.MAGIC));
        }
        int command = LittleEndian.getUnsignedShort(src);
        long size = Integer.toUnsignedLong(LittleEndian.getInt(src));
        long offsetField = LittleEndian.getLong(src);
        long handle = LittleEndian.getLong(src);
        return new RequestHeader(command, size, offsetField & Dnbd3Protocol.MAX_OFFSET,
                (int) (offsetField >>> 56), handle);
    }

    @Override
    public String toString() {
        return Command.describe(command) + "(size=" + size + ", offset=" + offset + ", hops=" + hops
                + ", handle=" + handle + ")";
    }
}
