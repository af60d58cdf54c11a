package org.openslx.netboot.dnbd3.protocol;

import java.io.IOException;

/** A peer sent bytes that are not valid dnbd3; the message names the message and the field. */
public final class ProtocolException extends IOException {
    public ProtocolException(String message) {
        super(message);
    }
}
