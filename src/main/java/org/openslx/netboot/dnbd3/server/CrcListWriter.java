package org.openslx.netboot.dnbd3.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;
import java.util.zip.CRC32;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/**
 * Computes an image's CRC list as {@code dnbd3-server --crc} does: one CRC-32 per 16 MiB, the
 * last block running to the 4 KiB-rounded size with zero padding; and writes it as
 * {@code IMAGE.crc} (master CRC first).
 */
public final class CrcListWriter {
    private static final int READ_SIZE = 1 << 20;

    private CrcListWriter() {
    }

    /**
     * @param progress told the number of image bytes processed so far, now and then
     */
    public static CrcList compute(Path image, LongConsumer progress) throws IOException {
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
            long realSize = channel.size();
            long virtualSize = Dnbd3Protocol.virtualSize(realSize);
            int[] crcs = new int[Dnbd3Protocol.hashBlockCount(realSize)];
            ByteBuffer buffer = ByteBuffer.allocateDirect(READ_SIZE);
            for (int block = 0; block < crcs.length; block++) {
                long start = (long) block * Dnbd3Protocol.HASH_BLOCK_SIZE;
                long end = Math.min(start + Dnbd3Protocol.HASH_BLOCK_SIZE, virtualSize);
                CRC32 crc = new CRC32();
                for (long position = start; position < end; ) {
                    buffer.clear().limit((int) Math.min(READ_SIZE, end - position));
                    while (buffer.hasRemaining()) {
                        int n = position + buffer.position() < realSize
                                ? channel.read(buffer, position + buffer.position()) : -1;
                        if (n < 0) {
                            if (position + buffer.position() < realSize) {
                                throw new IOException(image + " shrank while its CRC list was computed");
                            }
                            while (buffer.hasRemaining()) {
                                buffer.put((byte) 0); // padding up to the 4 KiB-rounded size
                            }
                        }
                    }
                    crc.update(buffer.flip());
                    position += buffer.limit();
                    progress.accept(Math.min(position, realSize));
                }
                crcs[block] = (int) crc.getValue();
            }
            return new CrcList(crcs);
        }
    }

    /** Computes the list and writes it next to the image as {@code IMAGE.crc} (replaced atomically). */
    public static Path write(Path image, LongConsumer progress) throws IOException {
        CrcList list = compute(image, progress);
        Path target = image.resolveSibling(image.getFileName() + ".crc");
        Path temporary = image.resolveSibling("." + image.getFileName() + ".crc.tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = list.encode();
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }
}
