package org.openslx.netboot.dnbd3.server;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openslx.netboot.dnbd3.protocol.SelectImageRequest;

/**
 * The rules a requested image name must pass before any file is looked at. Those of the
 * reference server: non-empty, no leading or trailing '/', no leading '.', no "/." anywhere (so
 * no "..", no hidden components). On top, because a name becomes a path: no NUL, no backslash,
 * no empty component ("a//b"), no component longer than {@value #MAX_COMPONENT_LENGTH} bytes (the
 * reference's scan skips those too) and no name longer than a SELECT_IMAGE can carry.
 */
public final class ImageName {
    /** Longest path component, as in the reference's directory scan. */
    public static final int MAX_COMPONENT_LENGTH = 150;
    /** Highest revision: a RID is 16 bits on the wire. */
    public static final int MAX_RID = 0xffff;
    /**
     * A revision file: {@code <name>.r<RID>}, leading zeros allowed ({@code x.r007} is revision 7), as
     * the reference reads the suffix ({@code image_load()} with atoi, {@code loadImageServer()} with
     * strtol). The zeros are matched apart so an overlong run of them cannot overflow the number.
     */
    private static final Pattern REVISION_FILE = Pattern.compile("(.+)\\.r0*([1-9][0-9]{0,4})");

    /** An image name and revision, as read from a file name. */
    public record Revision(String name, int rid) {
    }

    private ImageName() {
    }

    /** Why this name is refused, or null if it is acceptable. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "the name is empty";
        }
        if (name.startsWith("/")) {
            return "the name starts with '/'";
        }
        if (name.endsWith("/")) {
            return "the name ends with '/'";
        }
        if (name.startsWith(".")) {
            return "the name starts with '.'";
        }
        if (name.contains("/.")) {
            return "a component of the name starts with '.'";
        }
        if (name.indexOf('\0') >= 0) {
            return "the name contains a NUL byte";
        }
        if (name.indexOf('\\') >= 0) {
            return "the name contains a backslash";
        }
        if (name.contains("//")) {
            return "the name contains an empty component";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > SelectImageRequest.MAX_NAME_BYTES) {
            return "the name is longer than " + SelectImageRequest.MAX_NAME_BYTES + " bytes";
        }
        for (String component : name.split("/")) {
            if (component.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_LENGTH) {
                return "a component of the name is longer than " + MAX_COMPONENT_LENGTH + " bytes";
            }
        }
        return null;
    }

    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    /**
     * Splits a file name (or a '/'-separated path below the store) {@code <name>.r<RID>} into name
     * and RID; null when it has no such form or the RID is 0 or above {@link #MAX_RID}. The name is not
     * checked against the rules: that is {@link #isValid}'s job.
     */
    public static Revision revisionOf(String fileName) {
        Matcher m = REVISION_FILE.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        int rid = Integer.parseInt(m.group(2));
        return rid <= MAX_RID ? new Revision(m.group(1), rid) : null;
    }

    /** Shortened and escaped for a log line: hostile names must not forge log lines. */
    public static String forLog(String name) {
        if (name == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && out.length() < 120; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= 120) {
            out.append("...");
        }
        return "'" + out + "'";
    }
}
