package org.openslx.netboot.stage3.cmdline;

import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** An Ethernet MAC address, printed lowercase with colons ({@code 52:54:00:12:34:56}). */
public record MacAddress(String text) {
    private static final Pattern CANONICAL = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");
    private static final Pattern ANY_SEPARATOR = Pattern.compile("[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}");

    public MacAddress {
        if (!CANONICAL.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address like 52:54:00:12:34:56");
        }
    }

    /** Accepts six hex pairs separated by ':' or '-', any case. */
    public static MacAddress parse(String text) {
        if (!ANY_SEPARATOR.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address like 52:54:00:12:34:56");
        }
        return new MacAddress(text.replace('-', ':').toLowerCase(Locale.ROOT));
    }

    /**
     * PXELINUX's {@code BOOTIF=01-aa-bb-cc-dd-ee-ff}: the ARP hardware type (01, Ethernet) then the
     * MAC with hyphens. Like dracut, the bare six-pair form is accepted too.
     */
    public static MacAddress parseBootIf(String text) {
        String[] pairs = text.split("-", -1);
        if (pairs.length == 7) {
            if (!pairs[0].equals("01")) {
                throw new IllegalArgumentException("BOOTIF='" + text + "' has hardware type " + pairs[0]
                        + "; only 01 (Ethernet) is supported");
            }
            return parse(text.substring(3));
        }
        if (pairs.length == 6) {
            return parse(text);
        }
        throw new IllegalArgumentException("BOOTIF='" + text + "' is not like 01-52-54-00-12-34-56");
    }

    public byte[] bytes() {
        return HexFormat.ofDelimiter(":").parseHex(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
