package org.openslx.netboot.dnbd3.server;

import java.nio.charset.StandardCharsets;
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
