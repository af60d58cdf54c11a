package org.openslx.netboot.stage3.cmdline;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address parsed from text without any name lookup. IPv4 must be a dotted quad
 * ({@code 10.0.0.5}); shorthand forms like {@code 10.5} are refused because on a kernel command line
 * they are always a typo. IPv6 may be given in brackets. Printed in canonical form (RFC 5952).
 */
public record IpAddress(InetAddress inet) {
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /** Parses {@code text} or throws IllegalArgumentException saying what is wrong with it. */
    public static IpAddress parse(String text) {
        String literal = text;
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        if (DOTTED_QUAD.matcher(literal).matches()) {
            return new IpAddress(Inet4Address.ofLiteral(literal));
        }
        if (literal.contains(":")) {
            try {
                return new IpAddress(Inet6Address.ofLiteral(literal));
            } catch (IllegalArgumentException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
    }

    public static boolean isAddress(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public boolean isIpv4() {
        return inet instanceof Inet4Address;
    }

    public int bitLength() {
        return isIpv4() ? 32 : 128;
    }

    public byte[] bytes() {
        return inet.getAddress();
    }

    /** Whether {@code other} lies in the network {@code this/prefixLength}. */
    public boolean sameNetwork(IpAddress other, int prefixLength) {
        byte[] a = bytes();
        byte[] b = other.bytes();
        if (a.length != b.length) {
            return false;
        }
        for (int bit = 0; bit < prefixLength; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return isIpv4() ? inet.getHostAddress() : canonicalIpv6(bytes());
    }

    /** RFC 5952: lowercase hex, no leading zeros, the longest run of two or more zero groups as "::". */
    private static String canonicalIpv6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
