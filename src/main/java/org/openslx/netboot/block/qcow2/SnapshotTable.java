package org.openslx.netboot.block.qcow2;

import static org.openslx.netboot.block.qcow2.ImageFile.hex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Lists internal snapshots (for {@code slx image info}); reading never needs them. */
final class SnapshotTable {
    /** qemu's limits: QCOW_MAX_SNAPSHOT_EXTRA_DATA and the whole table's size. */
    private static final int MAX_EXTRA_DATA = 1024;
    private static final long MAX_TABLE_BYTES = 64L << 20;
    private static final int FIXED_BYTES = 40;

    private SnapshotTable() {
    }

    static List<Qcow2Snapshot> read(ImageFile file, Qcow2Header header) throws IOException {
        List<Qcow2Snapshot> snapshots = new ArrayList<>();
        long start = header.snapshotsOffset();
        long offset = start;
        for (int i = 0; i < header.snapshotCount(); i++) {
            String what = "snapshot table entry " + i;
            ByteBuffer fixed = ByteBuffer.wrap(file.read(offset, FIXED_BYTES, what));
            int idLength = Short.toUnsignedInt(fixed.getShort(12));
            int nameLength = Short.toUnsignedInt(fixed.getShort(14));
            long dateSeconds = Integer.toUnsignedLong(fixed.getInt(16));
            long extraLength = Integer.toUnsignedLong(fixed.getInt(36));
            if (extraLength > MAX_EXTRA_DATA) {
                throw file.error(what + " at offset " + hex(offset) + ": extra data size "
                        + extraLength + " is too large (at most " + MAX_EXTRA_DATA + ")");
            }
            int variable = (int) extraLength + idLength + nameLength;
            if (offset + FIXED_BYTES + variable - start > MAX_TABLE_BYTES) {
                throw file.error("the snapshot table at " + hex(start) + " grows past 64 MiB at entry " + i);
            }
            ByteBuffer rest = ByteBuffer.wrap(file.read(offset + FIXED_BYTES, variable, what));
            long virtualSize = extraLength >= 16 ? rest.getLong(8) : -1;
            String id = new String(rest.array(), (int) extraLength, idLength, StandardCharsets.UTF_8);
            String name = new String(rest.array(), (int) extraLength + idLength, nameLength,
                    StandardCharsets.UTF_8);
            snapshots.add(new Qcow2Snapshot(id, name, virtualSize, dateSeconds));
            offset += (FIXED_BYTES + variable + 7) & ~7L;
        }
        return snapshots;
    }
}
