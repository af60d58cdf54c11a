package org.openslx.netboot.stage3.plan;

import java.util.Optional;

/**
 * What {@code /run/openslx/dmsetup.state} records about the copy-on-write layer, for stage4 and for
 * admins asking "did this client really use its disk?".
 *
 * @param kind       {@code partition} (an ID44 partition used whole), {@code file} (a file on the ID44
 *                   partition's filesystem) or {@code ram}
 * @param store      the partition or file holding the data
 * @param persistent whether the data survives a reboot
 * @param sizeKb     the store's size when known ahead
 * @param reason     why this store was chosen (always set for ram)
 */
public record CowState(String kind, String store, boolean persistent, Optional<Long> sizeKb, Optional<String> reason) {
    public static final String PATH = "/run/openslx/dmsetup.state";

    /** The file's text; {@code fallbackReason} is the runtime failure that sent the boot to RAM, if any. */
    public String render(Optional<String> fallbackReason) {
        StringBuilder out = new StringBuilder("# slx-netboot stage3: where the root file system's copy-on-write layer lives\n");
        out.append("cow=").append(kind).append('\n');
        out.append("store=").append(store).append('\n');
        out.append("persistent=").append(persistent ? "yes" : "no").append('\n');
        sizeKb.ifPresent(s -> out.append("size_kb=").append(s).append('\n'));
        Optional<String> why = fallbackReason.or(() -> reason);
        why.ifPresent(r -> out.append("reason=").append(r.replace('\n', ' ')).append('\n'));
        return out.toString();
    }
}
