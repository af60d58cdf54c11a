package org.openslx.netboot.stage3.tar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tar archives header by header, for hostile archives that GNU tar refuses to create
 * (absolute names, '..', device nodes, links through links). Benign archives in the tests come
 * from the real GNU tar instead.
 */
final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TarBuilder file(String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        header(name, '0', 0644, data.length, "");
        data(data);
        return this;
    }

    TarBuilder directory(String name) {
        header(name, '5', 0755, 0, "");
        return this;
    }

    TarBuilder symlink(String name, String target) {
        header(name, '2', 0777, 0, target);
        return this;
    }

    TarBuilder hardLink(String name, String target) {
        header(name, '1', 0644, 0, target);
        return this;
    }

    TarBuilder special(String name, char type) {
        header(name, type, 0600, 0, "");
        return this;
    }

    /** A GNU long-name record followed by a file whose header carries a harmless short name. */
    TarBuilder gnuLongNameFile(String longName, String content) {
        byte[] name = (longName + "\0").getBytes(StandardCharsets.UTF_8);
        header("././@LongLink", 'L', 0644, name.length, "");
        data(name);
        return file("short", content);
    }

    /** A pax header overriding the path of the file that follows. */
    TarBuilder paxPathFile(String paxPath, String headerName, String content) {
        String record = " path=" + paxPath + "\n";
        int length = record.length() + 1;
        while (String.valueOf(length).length() + record.length() != length) {
            length = String.valueOf(length).length() + record.length();
        }
        byte[] pax = (length + record).getBytes(StandardCharsets.UTF_8);
        header("PaxHeaders/x", 'x', 0644, pax.length, "");
        data(pax);
        return file(headerName, content);
    }

    /** Bytes that are not a valid header (bad checksum). */
    TarBuilder garbage() {
        byte[] block = new byte[512];
        java.util.Arrays.fill(block, (byte) 'x');
        out.writeBytes(block);
        return this;
    }

    byte[] tar() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(new byte[1024]);
        return copy.toByteArray();
    }

    Path writeGzip(Path file) throws IOException {
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(tar());
        }
        return file;
    }

    private void header(String name, char type, int mode, long size, String link) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        put(h, 100, 8, String.format("%07o", mode));
        put(h, 108, 8, String.format("%07o", 0));
        put(h, 116, 8, String.format("%07o", 0));
        put(h, 124, 12, String.format("%011o", size));
        put(h, 136, 12, String.format("%011o", 1_700_000_000L));
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, String.format("%06o", sum) + "\0 ");
        out.writeBytes(h);
    }

    private void data(byte[] data) {
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
    }
}
