package org.openslx.netboot.stage3.tar;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads tar archives as GNU tar writes them: ustar (with the name prefix field), GNU long names and
 * link targets ('L', 'K'), and pax extended headers ('x'; global 'g' headers are skipped),
 * gzip-compressed or not (recognised by the gzip magic). Header checksums are verified; numbers may be
 * octal or GNU base-256. Sparse and multi-volume members are reported as unsupported. Every problem
 * names the byte offset where it was found.
 */
public final class TarReader implements AutoCloseable {
    private static final int BLOCK = 512;
    private static final int MAX_META_BYTES = 1 << 20;

    private final InputStream in;
    private long position;
    private long remainingInEntry;
    private long paddingAfterEntry;
    private boolean finished;

    public TarReader(InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 65536);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        this.in = first == 0x1f && second == 0x8b ? new BufferedInputStream(new GZIPInputStream(buffered, 65536), 65536)
                : buffered;
    }

    /** The next entry, or null at the end of the archive. Unread content of the previous one is skipped. */
    public TarEntry next() throws IOException {
        if (finished) {
            return null;
        }
        skipRest();
        String longName = null;
        String longLink = null;
        Map<String, String> pax = new HashMap<>();
        while (true) {
            long headerOffset = position;
            byte[] header = new byte[BLOCK];
            int got = readFully(header);
            if (got == 0) {
                // No end-of-archive marker, but nothing cut either: accept, as GNU tar does.
                finished = true;
                return null;
            }
            if (got < BLOCK) {
                throw new TarFormatException("archive ends inside a header at byte " + headerOffset);
            }
            if (isZero(header)) {
                finished = true;
                return null;
            }
            verifyChecksum(header, headerOffset);
            char flag = (char) (header[156] & 0xff);
            long size = number(header, 124, 12, "size", headerOffset);
            if (size < 0) {
                throw new TarFormatException("header at byte " + headerOffset + " has a negative size");
            }
            switch (flag) {
                case 'L', 'K', 'x', 'g' -> {
                    if (size > MAX_META_BYTES) {
                        throw new TarFormatException("extended header at byte " + headerOffset + " is " + size
                                + " bytes, more than the limit of " + MAX_META_BYTES);
                    }
                    byte[] data = new byte[(int) size];
                    if (readFully(data) < size) {
                        throw new TarFormatException("archive ends inside the extended header at byte " + headerOffset);
                    }
                    skipBytes(padding(size), headerOffset);
                    if (flag == 'L') {
                        longName = cString(data, 0, data.length);
                    } else if (flag == 'K') {
                        longLink = cString(data, 0, data.length);
                    } else if (flag == 'x') {
                        pax.putAll(parsePax(data, headerOffset));
                    }
                    continue;
                }
                default -> {
                    // an actual member
                }
            }
            String name = cString(header, 0, 100);
            String magic = new String(header, 257, 5, StandardCharsets.US_ASCII);
            if (magic.equals("ustar") && header[262] == 0) {
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            if (longName != null) {
                name = longName;
            }
            String link = longLink != null ? longLink : cString(header, 157, 100);
            name = pax.getOrDefault("path", name);
            link = pax.getOrDefault("linkpath", link);
            if (pax.containsKey("size")) {
                size = paxNumber(pax, "size", headerOffset);
            }
            long uid = pax.containsKey("uid") ? paxNumber(pax, "uid", headerOffset) : number(header, 108, 8, "uid", headerOffset);
            long gid = pax.containsKey("gid") ? paxNumber(pax, "gid", headerOffset) : number(header, 116, 8, "gid", headerOffset);
            long mtime = pax.containsKey("mtime") ? paxTime(pax.get("mtime"), headerOffset)
                    : number(header, 136, 12, "mtime", headerOffset);
            int mode = (int) (number(header, 100, 8, "mode", headerOffset) & 07777);
            TarEntry.Type type = TarEntry.Type.of(flag);
            if (name.isEmpty()) {
                throw new TarFormatException("member at byte " + headerOffset + " has an empty name");
            }
            // Links, devices, directories and fifos carry no data, whatever the size field says.
            boolean hasData = type == TarEntry.Type.FILE || type == TarEntry.Type.UNSUPPORTED;
            remainingInEntry = hasData ? size : 0;
            paddingAfterEntry = hasData ? padding(size) : 0;
            if (type == TarEntry.Type.UNSUPPORTED) {
                name = name + " (type '" + flag + "')";
            }
            return new TarEntry(name, type, mode, uid, gid, hasData ? size : 0, mtime, link, headerOffset);
        }
    }

    /** The current entry's content; reading past it returns end of stream. */
    public InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int off, int len) throws IOException {
                if (remainingInEntry == 0) {
                    return -1;
                }
                int n = in.read(buffer, off, (int) Math.min(len, remainingInEntry));
                if (n < 0) {
                    throw new EOFException("archive ends inside a member's data at byte " + position);
                }
                position += n;
                remainingInEntry -= n;
                return n;
            }
        };
    }

    private void skipRest() throws IOException {
        long start = position;
        skipBytes(remainingInEntry, start);
        remainingInEntry = 0;
        skipBytes(paddingAfterEntry, start);
        paddingAfterEntry = 0;
    }

    private void skipBytes(long count, long context) throws IOException {
        byte[] buffer = new byte[8192];
        while (count > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, count));
            if (n < 0) {
                throw new TarFormatException("archive ends inside a member's data (member at byte " + context + ")");
            }
            count -= n;
            position += n;
        }
    }

    private int readFully(byte[] buffer) throws IOException {
        int total = 0;
        while (total < buffer.length) {
            int n = in.read(buffer, total, buffer.length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        position += total;
        return total;
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void verifyChecksum(byte[] header, long offset) throws TarFormatException {
        long stored = parseOctal(header, 148, 8);
        long unsigned = 0;
        for (int i = 0; i < BLOCK; i++) {
            unsigned += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
        }
        if (stored != unsigned) {
            throw new TarFormatException("header at byte " + offset + " has a wrong checksum: not a tar archive, or damaged");
        }
    }

    private static long number(byte[] header, int offset, int length, String field, long at) throws TarFormatException {
        if ((header[offset] & 0x80) != 0) {
            // GNU base-256: big-endian two's complement in the remaining bits.
            if ((header[offset] & 0x40) != 0) {
                throw new TarFormatException("header at byte " + at + " has a negative " + field);
            }
            long value = header[offset] & 0x3f;
            for (int i = 1; i < length; i++) {
                if (value > (Long.MAX_VALUE >> 8)) {
                    throw new TarFormatException("header at byte " + at + " has a " + field + " too large to handle");
                }
                value = (value << 8) | (header[offset + i] & 0xff);
            }
            return value;
        }
        long value = parseOctal(header, offset, length);
        if (value < 0) {
            throw new TarFormatException("header at byte " + at + ": field " + field + " is not an octal number");
        }
        return value;
    }

    /** Octal digits, leading blanks and trailing NUL/blank allowed; -1 if anything else. */
    private static long parseOctal(byte[] header, int offset, int length) {
        long value = 0;
        int i = offset;
        int end = offset + length;
        while (i < end && header[i] == ' ') {
            i++;
        }
        boolean digits = false;
        for (; i < end; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7') {
                return -1;
            }
            value = value * 8 + (b - '0');
            digits = true;
        }
        return digits ? value : 0;
    }

    private static String cString(byte[] data, int offset, int length) {
        int end = offset;
        while (end < offset + length && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** pax records: "<length> <key>=<value>\n", length counting the whole record. */
    private static Map<String, String> parsePax(byte[] data, long offset) throws TarFormatException {
        Map<String, String> values = new HashMap<>();
        int at = 0;
        while (at < data.length) {
            int space = at;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            String lengthText = new String(data, at, space - at, StandardCharsets.US_ASCII);
            if (space >= data.length || !lengthText.matches("\\d{1,7}")) {
                throw new TarFormatException("pax header at byte " + offset + " has a malformed record");
            }
            int length = Integer.parseInt(lengthText);
            if (length <= space - at + 1 || at + length > data.length || data[at + length - 1] != '\n') {
                throw new TarFormatException("pax header at byte " + offset + " has a record of wrong length");
            }
            String record = new String(data, space + 1, at + length - 1 - (space + 1), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw new TarFormatException("pax header at byte " + offset + " has a record without '='");
            }
            values.put(record.substring(0, eq), record.substring(eq + 1));
            at += length;
        }
        return values;
    }

    private static long paxNumber(Map<String, String> pax, String key, long offset) throws TarFormatException {
        String text = pax.get(key);
        if (!text.matches("\\d{1,18}")) {
            throw new TarFormatException("pax header at byte " + offset + ": " + key + "=" + text + " is not a number");
        }
        return Long.parseLong(text);
    }

    private static long paxTime(String text, long offset) throws TarFormatException {
        if (!text.matches("-?\\d{1,18}(\\.\\d{0,9})?")) {
            throw new TarFormatException("pax header at byte " + offset + ": mtime=" + text + " is not a time");
        }
        int dot = text.indexOf('.');
        return Long.parseLong(dot < 0 ? text : text.substring(0, dot));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
