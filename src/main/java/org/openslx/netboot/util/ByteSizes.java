package org.openslx.netboot.util;

import java.util.Locale;

/** Byte counts for people: "64 KiB" out, "4M" / "4MiB" / "4096" in. */
public final class ByteSizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSizes() {
    }

    /** "512 B", "64 KiB", "1.5 GiB": exact when a whole number of units, else one decimal. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        boolean whole = bytes % (1L << (10 * unit)) == 0;
        return (whole ? String.format(Locale.ROOT, "%d", (long) value)
                : String.format(Locale.ROOT, "%.1f", value)) + " " + UNITS[unit];
    }

    /**
     * Parses a size: a number with an optional binary suffix K, M, G, T (also KiB, KB, k...).
     *
     * @throws IllegalArgumentException naming the text when it is not a size
     */
    public static long parse(String text) {
        String s = text.trim();
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        if (end == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 4096, 64K, 4M, 1G)");
        }
        String suffix = s.substring(end).trim().toUpperCase(Locale.ROOT);
        int shift = switch (suffix) {
            case "", "B" -> 0;
            case "K", "KB", "KIB" -> 10;
            case "M", "MB", "MIB" -> 20;
            case "G", "GB", "GIB" -> 30;
            case "T", "TB", "TIB" -> 40;
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + suffix
                    + "' (use K, M, G or T)");
        };
        try {
            long number = Long.parseLong(s.substring(0, end));
            if (number > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException("'" + text + "' is too large");
            }
            return number << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
