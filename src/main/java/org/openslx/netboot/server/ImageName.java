package org.openslx.netboot.server;

import java.util.regex.Pattern;

/**
 * The public name of a dnbd3 image, as clients select it and as {@code SLX_DNBD3_IMAGE} names it:
 * the file's path under the store without its {@code .r<RID>} suffix. The reference server's rules
 * (no leading or trailing '/', no segment starting with '.') plus a safe character set, since the
 * name becomes a file path.
 */
public final class ImageName {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_+~-][A-Za-z0-9._+~-]{0,149}");
    private static final int MAX_LENGTH = 900;

    private ImageName() {
    }

    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                return false;
            }
        }
        return true;
    }

    public static String check(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("image name '" + name + "' is not valid: use letters, digits and"
                    + " '._+~-' in '/'-separated parts (each up to 150 characters, none starting with '.')");
        }
        return name;
    }
}
