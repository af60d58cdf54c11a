package org.openslx.netboot.dnbd3.client;

/**
 * CRC-32 (zlib/IEEE, as {@link java.util.zip.CRC32}) of two adjacent pieces from the CRCs of the
 * pieces: {@code combine(crc(A), crc(B), |B|) = crc(A ‖ B)}. This is zlib's
 * {@code crc32_combine()} (multiplication by x^(8·|B|) modulo the CRC polynomial); the JDK does
 * not offer it. It lets the client check a 16 MiB hash block that arrived in pieces, in any
 * order, without keeping the data.
 */
final class Crc32Combine {
    private static final int POLY = 0xedb88320;
    /** X2N[k] = x^(2^k) modulo the polynomial, in zlib's reflected representation. */
    private static final int[] X2N = new int[32];

    static {
        int p = 1 << 30; // x^1
        X2N[0] = p;
        for (int k = 1; k < 32; k++) {
            p = multiplyModP(p, p);
            X2N[k] = p;
        }
    }

    private Crc32Combine() {
    }

    /** The CRC-32 of A followed by B, given crc(A), crc(B) and the length of B in bytes. */
    static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB < 0) {
            throw new IllegalArgumentException("negative length " + lengthB);
        }
        return multiplyModP(xPower8n(lengthB), crcA) ^ crcB;
    }

    /** a·b modulo the polynomial; a must not be 0. */
    private static int multiplyModP(int a, int b) {
        int m = 1 << 31;
        int p = 0;
        for (;;) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) {
                    break;
                }
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return p;
    }

    /** x^(8n) modulo the polynomial. */
    private static int xPower8n(long n) {
        int p = 1 << 31; // x^0
        int k = 3;
        while (n != 0) {
            if ((n & 1) != 0) {
                p = multiplyModP(X2N[k & 31], p);
            }
            n >>>= 1;
            k++;
        }
        return p;
    }
}
