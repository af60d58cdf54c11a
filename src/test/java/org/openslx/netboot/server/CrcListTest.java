package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrcListTest {
    @TempDir
    Path tmp;

    /**
     * Python's zlib is the independent reference; the layout is the one the reference dnbd3 server
     * writes (verified against it, see shared/dnbd3-protocol.md): LE master CRC over the LE list,
     * one CRC per 16 MiB, the last block zero-padded to 4 KiB.
     */
    @Test
    void crcListMatchesZlibOverSixteenMibBlocksWithTheTailPaddedToFourKib() throws Exception {
        byte[] data = new byte[2 * CrcList.HASH_BLOCK_SIZE + 12345];
        new Random(42).nextBytes(data);
        Path file = tmp.resolve("image");
        Files.write(file, data);

        CrcList crc = new CrcList();
        // Fed in odd-sized pieces to cross block borders inside one update.
        for (int offset = 0; offset < data.length; offset += 3_000_001) {
            crc.update(ByteBuffer.wrap(data, offset, Math.min(3_000_001, data.length - offset)));
        }
        byte[] ours = crc.finish();

        String script = String.join("\n",
                "import sys, zlib, struct",
                "data = open(sys.argv[1], 'rb').read()",
                "B = 1 << 24",
                "crcs = []",
                "for off in range(0, len(data), B):",
                "    block = data[off:off + B]",
                "    if len(block) < B:",
                "        block += bytes((-len(block)) % 4096)",
                "    crcs.append(zlib.crc32(block))",
                "body = b''.join(struct.pack('<I', c) for c in crcs)",
                "sys.stdout.write((struct.pack('<I', zlib.crc32(body)) + body).hex())");
        Process python = new ProcessBuilder("python3", "-c", script, file.toString()).start();
        String hex = new String(python.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).isZero();
        assertThat(ours).hasSize(4 + 3 * 4);
        assertThat(HexFormat.of().formatHex(ours)).isEqualTo(hex);
    }

    @Test
    void anExactMultipleOfTheBlockSizeHasNoPaddedTail() {
        CrcList crc = new CrcList();
        crc.update(ByteBuffer.allocate(CrcList.HASH_BLOCK_SIZE));
        assertThat(crc.finish()).hasSize(8);
    }
}
