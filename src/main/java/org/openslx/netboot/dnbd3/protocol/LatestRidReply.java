package org.openslx.netboot.dnbd3.protocol;

import java.nio.ByteBuffer;

/**
 * Payload of a LATEST_RID reply: one u16, the newest revision of the selected image, as the
 * reference kernel client would read it. Our server answers LATEST_RID; the reference server never
 * does (observed against it), so clients must not wait for the reply.
 *
 * @param rid newest revision, 1..65535
 */
public record LatestRidReply(int rid) {
    /** Payload length. */
    public static final int SIZE = 2;

    public LatestRidReply {
        SelectImageRequest.checkU16(rid, "rid");
    }

    public ByteBuffer encodePayload() {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        LittleEndian.putShort(buffer, rid);
        return buffer.flip();
    }

    public static LatestRidReply decodePayload(ByteBuffer src) throws ProtocolException {
        if (src.remaining() != SIZE) {
            throw new ProtocolException("LATEST_RID reply payload has " + src.remaining() + " bytes, expected " + SIZE);
        }
        return new LatestRidReply(LittleEndian.getUnsignedShort(src));
    }
}
