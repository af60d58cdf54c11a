package org.openslx.netboot.dnbd3.protocol;

import java.nio.ByteBuffer;

/**
 * The server's answer to {@link SelectImageRequest}: payload {@code u16 protocolVersion,
 * string canonicalName, u16 rid, u64 imageSize}. A server that refuses just closes the
 * connection; there is no error reply.
 *
 * <p>Decoding checks only the structure. What the reference clients check on top, and a client
 * should too: version ≥ {@link Dnbd3Protocol#MIN_SUPPORTED_SERVER}, rid ≠ 0, name non-empty (see
 * {@link #usableProblem()}).
 *
 * @param protocolVersion the server's version: 3, or the client's if the client sent less than 3
 * @param name the canonical image name
 * @param rid the actual revision (never 0 from a sane server)
 * @param imageSize the virtual size: file size rounded up to a multiple of 4096
 */
public record SelectImageReply(int protocolVersion, String name, int rid, long imageSize) {

    private static final int FIXED_BYTES = 2 + 1 + 2 + 8;
    /** Longest name (in UTF-8 bytes) that fits the payload limit. */
    public static final int MAX_NAME_BYTES = Dnbd3Protocol.MAX_PAYLOAD - FIXED_BYTES;

    public SelectImageReply {
        SelectImageRequest.checkU16(protocolVersion, "protocol version");
        SelectImageRequest.checkU16(rid, "rid");
        if (name == null || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("image name is missing or contains a NUL byte");
        }
        if (SerializedPayload.stringLength(name) - 1 > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("image name is longer than " + MAX_NAME_BYTES + " bytes");
        }
    }

    /** The payload alone, flipped. */
    public ByteBuffer encodePayload() {
        return new SerializedPayload.Writer("SELECT_IMAGE reply")
                .u16(protocolVersion, "protocol version")
                .string(name, "image name")
                .u16(rid, "rid")
                .u64(imageSize, "image size")
                .finish();
    }

    /** Header (with the given handle) and payload in one fresh buffer. */
    public ByteBuffer encode(long handle) {
        ByteBuffer payload = encodePayload();
        ByteBuffer message = ByteBuffer.allocate(Dnbd3Protocol.REPLY_SIZE + payload.remaining());
        ReplyHeader.of(Command.SELECT_IMAGE, payload.remaining(), handle).encode(message);
        return message.put(payload).flip();
    }

    /** Decodes the payload (all remaining bytes of src, which are consumed). */
    public static SelectImageReply decodePayload(ByteBuffer src) throws ProtocolException {
        SerializedPayload.Reader in = new SerializedPayload.Reader(src, "SELECT_IMAGE reply");
        int version = in.u16("protocol version");
        String name = in.string("image name");
        int rid = in.u16("rid");
        long size = in.u64("image size");
        if (size < 0) {
            throw new ProtocolException("SELECT_IMAGE reply announces an image size beyond 2^63 bytes");
        }
        try {
            return new SelectImageReply(version, name, rid, size);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("SELECT_IMAGE reply: " + e.getMessage());
        }
    }

    /** Why a client must not use this reply (as the reference clients check), or null if usable. */
    public String usableProblem() {
        if (protocolVersion < Dnbd3Protocol.MIN_SUPPORTED_SERVER) {
            return "server speaks protocol version " + protocolVersion + ", older than "
                    + Dnbd3Protocol.MIN_SUPPORTED_SERVER;
        }
        if (rid == 0) {
            return "server answered revision 0";
        }
        if (name.isEmpty()) {
            return "server answered an empty image name";
        }
        return null;
    }
}
