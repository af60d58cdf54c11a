package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * This process's resident memory from /proc/self/status. The file is opened once (before
 * switch_root) and read again in place: afterwards the daemon's own /proc is gone (systemd moved
 * the mount into the new root), but an open procfs file keeps answering.
 */
final class ProcessMemory {
    private static FileChannel status;

    private ProcessMemory() {
    }

    static synchronized String describe() {
        try {
            if (status == null) {
                status = FileChannel.open(Path.of("/proc/self/status"));
            }
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            status.read(buffer, 0);
            Map<String, String> fields = new HashMap<>();
            for (String line : new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).replace("kB", "").strip());
                }
            }
            return "RSS %s KiB (anon %s, file %s, shmem %s)".formatted(fields.get("VmRSS"),
                    fields.get("RssAnon"), fields.get("RssFile"), fields.get("RssShmem"));
        } catch (IOException | RuntimeException e) {
            return "RSS unknown (" + e.getMessage() + ")";
        }
    }
}
