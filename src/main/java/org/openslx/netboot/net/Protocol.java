package org.openslx.netboot.net;

/**
 * The protocols one listening port can carry, told apart by a connection's first byte, as the
 * reference dnbd3 server does: dnbd3 messages start with the magic "sr" (0x73 0x72), HTTP
 * requests with a method name (GET, HEAD, POST, PUT, ...).
 */
public enum Protocol {
    DNBD3, HTTP, UNKNOWN;

    public static Protocol ofFirstByte(int b) {
        return switch (b) {
            case 0x73 -> DNBD3;
            case 'G', 'H', 'P', 'O', 'D' -> HTTP;
            default -> UNKNOWN;
        };
    }
}
