package org.openslx.netboot.dnbd3.protocol;

import java.nio.ByteBuffer;

/**
 * The handshake a client sends first: payload {@code u16 protocolVersion, string name, u16 rid,
 * u8 flags}, at most {@link Dnbd3Protocol#MAX_PAYLOAD} bytes (so a name of at most 994 UTF-8
 * bytes). The header carries cmd=SELECT_IMAGE, size=payload length, offset 0, handle 0.
 *
 * @param protocolVersion the client's version (we send {@link Dnbd3Protocol#PROTOCOL_VERSION})
 * @param name image name, e.g. {@code rz/win10.qcow2}; no NUL
 * @param rid wanted revision, 0 = the latest the server has
 * @param flags {@link Dnbd3Protocol#FLAGS8_SERVER}, {@link Dnbd3Protocol#FLAGS8_BG_REP}; 0 for clients
 */
public record SelectImageRequest(int protocolVersion, String name, int rid, int flags) {

    /** Fixed part of the payload: version, NUL, rid, flags. */
    private static final int FIXED_BYTES = 2 + 1 + 2 + 1;
    /** Longest name (in UTF-8 bytes) that fits the payload limit. */
    public static final int MAX_NAME_BYTES = Dnbd3Protocol.MAX_PAYLOAD - FIXED_BYTES;

    public SelectImageRequest {
        checkU16(protocolVersion, "protocol version");
        checkU16(rid, "rid");
        if (flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("flags " + flags + " do not fit in 8 bits");
        }
        checkName(name);
    }

    /** An ordinary client's request: current protocol version, flags 0. */
    public static SelectImageRequest of(String name, int rid) {
        return new SelectImageRequest(Dnbd3Protocol.PROTOCOL_VERSION, name, rid, 0);
    }

    /** The payload alone, flipped. */
    public ByteBuffer encodePayload() {
        return new SerializedPayload.Writer("SELECT_IMAGE request")
                .u16(protocolVersion, "protocol version")
                .string(name, "image name")
                .u16(rid, "rid")
                .u8(flags, "flags")
                .finish();
    }

    /** Header and payload in one fresh buffer, ready to be written. */
    public ByteBuffer encode() {
        ByteBuffer payload = encodePayload();
        ByteBuffer message = ByteBuffer.allocate(Dnbd3Protocol.REQUEST_SIZE + payload.remaining());
        RequestHeader.of(Command.SELECT_IMAGE, payload.remaining(), 0).encode(message);
        return message.put(payload).flip();
    }

    /** Decodes the payload (all remaining bytes of src, which are consumed). */
    public static SelectImageRequest decodePayload(ByteBuffer src) throws ProtocolException {
        SerializedPayload.Reader in = new SerializedPayload.Reader(src, "SELECT_IMAGE request");
        int version = in.u16("protocol version");
        String name = in.string("image name");
        int rid = in.u16("rid");
        int flags = in.u8("flags");
        try {
            return new SelectImageRequest(version, name, rid, flags);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("SELECT_IMAGE request: " + e.getMessage());
        }
    }

    static void checkU16(int value, String field) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(field + " " + value + " does not fit in 16 bits");
        }
    }

    static void checkName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("image name is missing");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("image name contains a NUL byte");
        }
        if (SerializedPayload.stringLength(name) - 1 > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("image name is longer than " + MAX_NAME_BYTES + " bytes");
        }
    }
}
