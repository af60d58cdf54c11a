package org.openslx.netboot.stage3.tar;

import java.io.IOException;

/** The archive is not a tar archive we can read, or it is damaged; the message says where. */
public final class TarFormatException extends IOException {
    public TarFormatException(String message) {
        super(message);
    }
}
