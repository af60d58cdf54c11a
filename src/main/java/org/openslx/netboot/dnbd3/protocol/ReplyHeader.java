package org.openslx.netboot.dnbd3.protocol;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The 16-byte reply header: magic, u16 command, u32 size of the payload that follows, u64 handle
 * (little-endian). Note that the reference server puts a stale handle (the last GET_BLOCK's) on
 * replies to other commands; clients must match those by command, not by handle.
 *
 * @param command wire id: the request's command, or {@link Command#ERROR}
 * @param size payload bytes that follow this header (u32)
 * @param handle the request's handle
 */
public record ReplyHeader(int command, long size, long handle) {

    public ReplyHeader {
        if (command < 0 || command > 0xffff) {
            throw new IllegalArgumentException("command id " + command + " does not fit in 16 bits");
        }
        if (size < 0 || size > 0xffff_ffffL) {
            throw new IllegalArgumentException("reply size " + size + " does not fit in 32 bits");
        }
    }

    public static ReplyHeader of(Command command, long size, long handle) {
        return new ReplyHeader(command.id(), size, handle);
    }

    /** A CMD_ERROR reply (size 0) to the request with this handle. */
    public static ReplyHeader error(long handle) {
        return new ReplyHeader(Command.ERROR.id(), 0, handle);
    }

    public Optional<Command> knownCommand() {
        return Command.of(command);
    }

    public boolean is(Command c) {
        return command == c.id();
    }

    /** Writes the 16 bytes at dst's position and advances it. */
    public void encode(ByteBuffer dst) {
        dst.put(Dnbd3Protocol.MAGIC_0).put(Dnbd3Protocol.MAGIC_1);
        LittleEndian.putShort(dst, command);
        LittleEndian.putInt(dst, (int) size);
        LittleEndian.putLong(dst, handle);
    }

    /** The 16 bytes in a fresh buffer, ready to be written. */
    public ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(Dnbd3Protocol.REPLY_SIZE);
        encode(buffer);
        return buffer.flip();
    }

    /**
     * Reads 16 bytes from src's position.
     *
     * @throws ProtocolException if fewer than 16 bytes remain or the magic is wrong
     */
    public static ReplyHeader decode(ByteBuffer src) throws ProtocolException {
        if (src.remaining() < Dnbd3Protocol.REPLY_SIZE) {
            throw new ProtocolException("reply header truncated: " + src.remaining() + " of "
                    + Dnbd3Protocol.REPLY_SIZE + " bytes");
        }
        int magic = LittleEndian.getUnsignedShort(src);
        if (magic != Dnbd3Protocol.MAGIC) {
            src.position(src.position() + Dnbd3Protocol.REPLY_SIZE - 2);
            throw new ProtocolException(String.format("reply header has bad magic 0x%04x (expected 0x%04x)",
                    magic, Dnbd3Protocol.MAGIC));
        }
        int command = LittleEndian.getUnsignedShort(src);
        long size = Integer.toUnsignedLong(LittleEndian.getInt(src));
        long handle = LittleEndian.getLong(src);
        return new ReplyHeader(command, size, handle);
    }

    @Override
    public String toString() {
        return Command.describe(command) + "(size=" + size + ", handle=" + handle + ")";
    }
}
