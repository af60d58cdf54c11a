package org.openslx.netboot.block;

import java.io.IOException;

/** A write or trim was attempted on a source that cannot be written. Exports map it to EPERM. */
public final class ReadOnlySourceException extends IOException {
    public ReadOnlySourceException(String source) {
        super(source + " is read-only");
    }
}
