package org.openslx.netboot.server;

import java.util.regex.Pattern;

/**
 * A boot base names one folder under {@code boot/} and is the {@code slxbase=} of its clients:
 * one or more segments of letters, digits, '.', '_' and '-', separated by '/', none starting with
 * a '.' (so no "..", no hidden files), e.g. {@code default} or {@code bwlp/ubuntu-24}.
 */
public final class BaseName {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");
    private static final int MAX_SEGMENTS = 8;

    private BaseName() {
    }

    public static boolean isValid(String base) {
        if (base == null || base.isEmpty()) {
            return false;
        }
        String[] segments = base.split("/", -1);
        if (segments.length > MAX_SEGMENTS) {
            return false;
        }
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Returns the base or throws naming what is wrong with it. */
    public static String check(String base) {
        if (!isValid(base)) {
            throw new IllegalArgumentException("boot base '" + base + "' is not a valid name: use letters, digits,"
                    + " '.', '_' and '-' in up to " + MAX_SEGMENTS + " '/'-separated parts, none starting with '.'");
        }
        return base;
    }
}
