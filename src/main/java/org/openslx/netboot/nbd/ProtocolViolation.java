package org.openslx.netboot.nbd;

import java.io.IOException;

/**
 * The client broke a rule of the protocol that leaves no way to answer it (bad magic, unknown
 * client flags, an oversized option or write payload). The spec allows a hard disconnect; the
 * message says what the client sent, for the log.
 */
final class ProtocolViolation extends IOException {
    ProtocolViolation(String message) {
        super(message);
    }
}
