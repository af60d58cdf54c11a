package org.openslx.netboot.stage3.storage;

import java.nio.file.Path;
import java.util.Optional;
import org.openslx.netboot.stage3.machine.Partition;
import org.openslx.netboot.util.ByteSizes;

/**
 * The root filesystem inside the image: found by GPT name or label on the image device once the
 * image is attached. {@code expected} is what the machine description says it will be, if it
 * describes the image device.
 */
public record RootChoice(Path imageDevice, Optional<String> identifier, Optional<Partition> expected,
                         Optional<Long> expectedSectors) {
    public String summary() {
        String where = identifier.map(id -> "partition \"" + id + "\" on " + imageDevice)
                .orElse("the whole image device " + imageDevice);
        if (expected.isPresent()) {
            return where + ", expected " + expected.get().describe();
        }
        return where + expectedSectors.map(s -> ", expected the whole device (" + ByteSizes.format(s * 512) + ")")
                .orElse(" (found when the image is attached)");
    }
}
