package org.openslx.netboot.stage3.storage;

import java.nio.file.Path;
import java.util.Optional;
import org.openslx.netboot.stage3.machine.Partition;
import org.openslx.netboot.util.ByteSizes;

/** Where the root's copy-on-write layer goes, and why. */
public sealed interface CowChoice {
    String summary();

    /** A sparse file in a tmpfs: lost at reboot, limited by RAM. */
    record Ram(long sizeKb, String reason) implements CowChoice {
        public String summary() {
            return "RAM, " + sizeKb + " KB (" + reason + ")";
        }
    }

    /** The ID44 partition used whole as the snapshot's store. */
    record WholePartition(Partition partition, boolean persistent, boolean reuses, Optional<String> note)
            implements CowChoice {
        public String summary() {
            return "ID44 partition " + partition.describe() + ", used whole, "
                    + (persistent ? (reuses ? "persistent, keeping the data of the last boot"
                    : "persistent, starting fresh" + note.map(n -> " (" + n + ")").orElse(""))
                    : "not persistent");
        }
    }

    /** A file on the filesystem of the ID44 partition. */
    record FileOnPartition(Partition partition, Path file, long maxBytes, boolean persistent) implements CowChoice {
        public String summary() {
            return "file " + file + " on ID44 partition " + partition.describe() + ", "
                    + (maxBytes > 0 ? "at most " + ByteSizes.format(maxBytes) : "as large as the filesystem allows") + ", "
                    + (persistent ? "persistent if it belongs to this image and revision" : "not persistent");
        }
    }
}
