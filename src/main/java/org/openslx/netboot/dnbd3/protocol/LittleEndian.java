package org.openslx.netboot.dnbd3.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Relative little-endian reads and writes that leave the buffer's own byte order alone. */
final class LittleEndian {
    private LittleEndian() {
    }

    static void putShort(ByteBuffer dst, int value) {
        dst.put((byte) value).put((byte) (value >>> 8));
    }

    static void putInt(ByteBuffer dst, int value) {
        ByteOrder order = dst.order();
        dst.order(ByteOrder.LITTLE_ENDIAN).putInt(value).order(order);
    }

    static void putLong(ByteBuffer dst, long value) {
        ByteOrder order = dst.order();
        dst.order(ByteOrder.LITTLE_ENDIAN).putLong(value).order(order);
    }

    static int getUnsignedShort(ByteBuffer src) {
        return (src.get() & 0xff) | (src.get() & 0xff) << 8;
    }

    static int getInt(ByteBuffer src) {
        ByteOrder order = src.order();
        int value = src.order(ByteOrder.LITTLE_ENDIAN).getInt();
        src.order(order);
        return value;
    }

    static long getLong(ByteBuffer src) {
        ByteOrder order = src.order();
        long value = src.order(ByteOrder.LITTLE_ENDIAN).getLong();
        src.order(order);
        return value;
    }
}
