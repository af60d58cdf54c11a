package org.openslx.netboot.dnbd3.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The reference's serialized buffer ({@code serialize.c}): u8, u16 LE, u64 LE and NUL-terminated
 * strings, at most {@link Dnbd3Protocol#MAX_PAYLOAD} bytes. Where the reference silently drops a
 * field that does not fit, or reads 0 past the end, we refuse: writers throw
 * IllegalArgumentException, readers ProtocolException naming the message and the field.
 */
final class SerializedPayload {
    private SerializedPayload() {
    }

    /** Encoded length of a string field: its UTF-8 bytes plus the NUL terminator. */
    static int stringLength(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length + 1;
    }

    static final class Writer {
        private final ByteBuffer buffer = ByteBuffer.allocate(Dnbd3Protocol.MAX_PAYLOAD);
        private final String message;

        Writer(String message) {
            this.message = message;
        }

        private void need(int bytes, String field) {
            if (buffer.remaining() < bytes) {
                throw new IllegalArgumentException(message + ": field " + field + " does not fit in the "
                        + Dnbd3Protocol.MAX_PAYLOAD + "-byte payload limit");
            }
        }

        Writer u8(int value, String field) {
            need(1, field);
            buffer.put((byte) value);
            return this;
        }

        Writer u16(int value, String field) {
            need(2, field);
            LittleEndian.putShort(buffer, value);
            return this;
        }

        Writer u64(long value, String field) {
            need(8, field);
            LittleEndian.putLong(buffer, value);
            return this;
        }

        Writer string(String value, String field) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            need(bytes.length + 1, field);
            buffer.put(bytes).put((byte) 0);
            return this;
        }

        /** The written bytes, flipped. */
        ByteBuffer finish() {
            return buffer.flip();
        }
    }

    static final class Reader {
        private final ByteBuffer buffer;
        private final String message;
        private final int length;

        /** Reads the remaining bytes of payload (consuming them from it). */
        Reader(ByteBuffer payload, String message) throws ProtocolException {
            if (payload.remaining() > Dnbd3Protocol.MAX_PAYLOAD) {
                throw new ProtocolException(message + " payload of " + payload.remaining()
                        + " bytes exceeds the limit of " + Dnbd3Protocol.MAX_PAYLOAD);
            }
            this.length = payload.remaining();
            this.buffer = payload.slice();
            payload.position(payload.limit());
            this.message = message;
        }

        private void need(int bytes, String field) throws ProtocolException {
            if (buffer.remaining() < bytes) {
                throw new ProtocolException(message + " payload truncated at field " + field
                        + " (byte " + buffer.position() + " of " + length + ")");
            }
        }

        int u8(String field) throws ProtocolException {
            need(1, field);
            return buffer.get() & 0xff;
        }

        int u16(String field) throws ProtocolException {
            need(2, field);
            return LittleEndian.getUnsignedShort(buffer);
        }

        long u64(String field) throws ProtocolException {
            need(8, field);
            return LittleEndian.getLong(buffer);
        }

        String string(String field) throws ProtocolException {
            int start = buffer.position();
            int end = start;
            while (end < buffer.limit() && buffer.get(end) != 0) {
                end++;
            }
            if (end >= buffer.limit()) {
                throw new ProtocolException(message + " field " + field + " at byte " + start
                        + " is not NUL-terminated within the " + length + "-byte payload");
            }
            ByteBuffer bytes = buffer.slice(start, end - start);
            buffer.position(end + 1);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bytes).toString();
            } catch (CharacterCodingException e) {
                throw new ProtocolException(message + " field " + field + " at byte " + start + " is not valid UTF-8");
            }
        }
    }
}
