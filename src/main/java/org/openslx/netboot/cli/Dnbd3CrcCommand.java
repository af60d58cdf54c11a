package org.openslx.netboot.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.ProtocolException;
import org.openslx.netboot.dnbd3.server.CrcListWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code slx dnbd3 crc IMAGE}: writes IMAGE.crc as {@code dnbd3-server --crc} does. */
@Command(name = "crc",
        description = "Compute the CRC-32 list of an image file (one CRC per 16 MiB) and write it as IMAGE.crc,"
                + " byte-identical to what dnbd3-server --crc writes.")
final class Dnbd3CrcCommand implements Callable<Integer> {

    @Parameters(paramLabel = "IMAGE", description = "The image file, e.g. BASE/name.r1.")
    Path image;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(image)) {
            throw new NoSuchFileException(image.toString(), null, "no such image file");
        }
        long size = Files.size(image);
        Path written = CrcListWriter.write(image, progress(size));
        if ((System.console() != null && System.console().isTerminal())) {
            System.err.print("\r\033[K");
        }
        CrcList list = decode(written);
        System.err.printf("dnbd3 crc: wrote %s (%d blocks, master CRC %08x)%n", written, list.blockCount(), list.master());
        return 0;
    }

    private static CrcList decode(Path file) throws Exception {
        try {
            return CrcList.decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)));
        } catch (ProtocolException e) {
            throw new IllegalStateException("the CRC list just written to " + file + " does not read back: " + e.getMessage());
        }
    }

    /** Percent on a terminal, at most once per percent; nothing when not interactive. */
    private static LongConsumer progress(long total) {
        if (System.console() == null || !System.console().isTerminal() || total == 0) {
            return done -> { };
        }
        long[] shown = {-1};
        return done -> {
            long percent = done * 100 / total;
            if (percent != shown[0]) {
                shown[0] = percent;
                System.err.printf("\rdnbd3 crc: %3d%% (%d of %d MiB)", percent, done >> 20, total >> 20);
            }
        };
    }
}
