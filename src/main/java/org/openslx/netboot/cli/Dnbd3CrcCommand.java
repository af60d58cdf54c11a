package org.openslx.netboot.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
        Path written;
        try (TerminalProgress progress = new TerminalProgress(image.getFileName().toString())) {
            written = CrcListWriter.write(image, done -> progress.update("computing CRCs", done, size));
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
}
