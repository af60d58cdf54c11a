package org.openslx.netboot.net.http;

/**
 * One byte range of a {@code Range: bytes=...} header, resolved against a file size. Multiple
 * ranges are answered with the whole file (allowed by RFC 9110), which no boot client asks for.
 */
record ByteRange(long first, long last) {
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    long length() {
        return last - first + 1;
    }

    /** Returns null for "whole file", {@link #UNSATISFIABLE}, or the range. */
    static ByteRange parse(String header, long size) {
        if (header == null || !header.startsWith("bytes=") || header.contains(",")) {
            return null;
        }
        String spec = header.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1);
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (first < 0 || first >= size || last < first) {
                return UNSATISFIABLE;
            }
            return new ByteRange(first, last);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
