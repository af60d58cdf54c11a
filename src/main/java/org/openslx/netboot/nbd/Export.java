package org.openslx.netboot.nbd;

import static org.openslx.netboot.nbd.NbdProtocol.*;

import java.util.Objects;
import org.openslx.netboot.block.BlockSource;

/**
 * The one export a server offers: a block source under a name. The name only matters for
 * {@code NBD_OPT_LIST}; clients asking for any name (the empty default included) get this
 * export, so {@code nbd-client}, {@code qemu-img} and {@code nbdcopy} work without knowing it.
 *
 * <p>The transmission flags follow the source's stated capabilities: read-only sources are
 * {@code READ_ONLY} and {@code CAN_MULTI_CONN}; writable ones take FLUSH and FUA, and TRIM if
 * the source can trim.
 */
public record Export(String name, BlockSource source) {
    public Export {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
    }

    short transmissionFlags() {
        int flags = FLAG_HAS_FLAGS;
        if (source.canWrite()) {
            flags |= FLAG_SEND_FLUSH | FLAG_SEND_FUA;
            if (source.canTrim()) {
                flags |= FLAG_SEND_TRIM;
            }
        } else {
            flags |= FLAG_READ_ONLY;
        }
        if (source.canMultiConn()) {
            flags |= FLAG_CAN_MULTI_CONN;
        }
        return (short) flags;
    }
}
