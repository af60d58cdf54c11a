package org.openslx.netboot.stage3.machine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The marker slx-netboot writes at the start of an ID44 partition used whole as a persistent
 * copy-on-write store, to bind the store to one image and RID. Layout: the first
 * {@value #HEADER_BYTES} bytes hold text lines ({@code SLX-NETBOOT-COW 1}, {@code image=...},
 * {@code rid=...}) padded with zeros; the copy-on-write data begins at {@value #DATA_OFFSET_BYTES}
 * bytes (1 MiB, aligned for every disk). A partition without this header, or with another image or
 * RID in it, gets a fresh store.
 */
public final class CowHeader {
    public static final int HEADER_BYTES = 4096;
    public static final long DATA_OFFSET_BYTES = 1 << 20;
    private static final String MAGIC = "SLX-NETBOOT-COW 1\n";

    private CowHeader() {
    }

    /** The header's text: also the content of the {@code .owner} file beside a copy-on-write file. */
    public static String text(CowOwner owner) {
        if (owner.image().contains("\n") || owner.image().contains("\0")) {
            throw new IllegalArgumentException("image name must not contain newlines or NUL bytes");
        }
        return MAGIC + "image=" + owner.image() + "\nrid=" + owner.rid() + "\n";
    }

    public static byte[] encode(CowOwner owner) {
        byte[] text = text(owner).getBytes(StandardCharsets.UTF_8);
        if (text.length > HEADER_BYTES) {
            throw new IllegalArgumentException("image name too long for the copy-on-write header");
        }
        return Arrays.copyOf(text, HEADER_BYTES);
    }

    /** The owner recorded in {@code start} (the partition's first bytes), or empty if there is no header. */
    public static Optional<CowOwner> decode(byte[] start) {
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        if (start.length < magic.length || !Arrays.equals(start, 0, magic.length, magic, 0, magic.length)) {
            return Optional.empty();
        }
        int end = 0;
        while (end < Math.min(start.length, HEADER_BYTES) && start[end] != 0) {
            end++;
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : new String(start, 0, end, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String image = fields.get("image");
        String rid = fields.get("rid");
        if (image == null || rid == null || !rid.matches("\\d{1,5}")) {
            return Optional.empty();
        }
        return Optional.of(new CowOwner(image, Integer.parseInt(rid)));
    }
}
