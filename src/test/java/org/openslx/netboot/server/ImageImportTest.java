package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageImportTest {
    @TempDir
    Path tmp;

    private static final ImageImport.Progress QUIET = (phase, done, total) -> { };

    @Test
    void addCopiesTheImageAsTheNextRevisionWithItsCrcList() throws Exception {
        StoreFiles store = new StoreFiles(tmp.resolve("images"));
        Path first = QemuImg.create(tmp.resolve("first.qcow2"), "64M", 0x11);
        Path second = QemuImg.createSpanningCrcBlocks(tmp.resolve("second.qcow2"), 0x22);
        assertThat(Files.size(second)).isGreaterThan(2L * (16 << 20));

        StoredImage r1 = ImageImport.add(store, first, "stage4.qcow2", 0, QUIET);
        StoredImage r2 = ImageImport.add(store, second, "stage4.qcow2", 0, QUIET);

        assertThat(r1.rid()).isEqualTo(1);
        assertThat(r2.rid()).isEqualTo(2);
        assertThat(r1.file()).isEqualTo(tmp.resolve("images/stage4.qcow2.r1"));
        assertThat(QemuImg.compare(first, r1.file())).isZero();
        assertThat(QemuImg.compare(second, r2.file())).isZero();
        assertThat(Files.mismatch(first, r1.file())).isEqualTo(-1);
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(StoreFiles.crcFileOf(r2.file()))))
                .isEqualTo(crcFileByZlib(second));
        assertThat(store.list()).extracting(StoredImage::name, StoredImage::rid, StoredImage::hasCrcList)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("stage4.qcow2", 1, true),
                        org.assertj.core.groups.Tuple.tuple("stage4.qcow2", 2, true));
        assertThat(hiddenFiles(store.root())).containsOnly(".slx-image-add.lock");
    }

    @Test
    void anExistingRevisionIsNeverOverwritten() throws Exception {
        StoreFiles store = new StoreFiles(tmp.resolve("images"));
        Path first = QemuImg.create(tmp.resolve("first.qcow2"), "16M", 0x11);
        Path other = QemuImg.create(tmp.resolve("other.qcow2"), "16M", 0x33);
        ImageImport.add(store, first, "x.qcow2", 5, QUIET);
        byte[] crcBefore = Files.readAllBytes(StoreFiles.crcFileOf(store.fileOf("x.qcow2", 5)));

        assertThatThrownBy(() -> ImageImport.add(store, other, "x.qcow2", 5, QUIET))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("x.qcow2 revision 5 already exists");
        assertThat(Files.mismatch(first, store.fileOf("x.qcow2", 5))).isEqualTo(-1);
        assertThat(Files.readAllBytes(StoreFiles.crcFileOf(store.fileOf("x.qcow2", 5)))).isEqualTo(crcBefore);
        assertThat(ImageImport.add(store, other, "x.qcow2", 0, QUIET).rid()).isEqualTo(6);
    }

    @Test
    void namesMayHaveFoldersButNoTraversal() throws Exception {
        StoreFiles store = new StoreFiles(tmp.resolve("images"));
        Path image = QemuImg.create(tmp.resolve("a.qcow2"), "16M", 1);
        StoredImage added = ImageImport.add(store, image, "rz/win10.qcow2", 0, QUIET);
        assertThat(added.file()).isEqualTo(tmp.resolve("images/rz/win10.qcow2.r1"));
        assertThat(store.list()).extracting(StoredImage::name).containsExactly("rz/win10.qcow2");
        assertThatThrownBy(() -> ImageImport.add(store, image, "../escape.qcow2", 0, QUIET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image name '../escape.qcow2' is refused");
        assertThat(tmp.resolve("escape.qcow2.r1")).doesNotExist();
    }

    @Test
    void somethingThatIsNotQcow2IsRefused() throws Exception {
        StoreFiles store = new StoreFiles(tmp.resolve("images"));
        Path raw = tmp.resolve("disk.raw");
        Files.write(raw, new byte[8192]);
        assertThatThrownBy(() -> ImageImport.add(store, raw, "disk", 0, QUIET))
                .hasMessage(raw + " is not a qcow2 image (no 'QFI\\xfb' magic at offset 0)");
        assertThatThrownBy(() -> ImageImport.add(store, tmp.resolve("missing"), "disk", 0, QUIET))
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> ImageImport.add(store, raw, "disk", 70000, QUIET))
                .hasMessageContaining("out of range");
    }

    @Test
    void progressIsReportedForTheCopyThenTheCrcPassUpToTheWholeSize() throws Exception {
        StoreFiles store = new StoreFiles(tmp.resolve("images"));
        Path image = QemuImg.create(tmp.resolve("a.qcow2"), "64M", 7);
        long size = Files.size(image);
        List<String> phases = new ArrayList<>();
        List<Long> copied = new ArrayList<>();
        List<Long> checked = new ArrayList<>();
        ImageImport.add(store, image, "a", 0, (phase, done, total) -> {
            assertThat(total).isEqualTo(size);
            if (phases.isEmpty() || !phases.getLast().equals(phase)) {
                phases.add(phase);
            }
            (phase.equals(ImageImport.COPYING) ? copied : checked).add(done);
        });
        assertThat(phases).containsExactly(ImageImport.COPYING, ImageImport.COMPUTING_CRCS);
        assertThat(copied).first().isEqualTo(0L);
        assertThat(copied).last().isEqualTo(size);
        assertThat(copied).isSorted();
        assertThat(checked).last().isEqualTo(size);
        assertThat(checked).isSorted();
    }

    @Test
    void aReaderOfAnOlderRevisionKeepsReadingItsDataWhileANewOneIsAdded() throws Exception {
        StoreFiles store = new StoreFiles(tmp.resolve("images"));
        Path first = QemuImg.create(tmp.resolve("first.qcow2"), "64M", 0x11);
        ImageImport.add(store, first, "img", 0, QUIET);
        byte[] expected = Files.readAllBytes(first);
        Path second = QemuImg.create(tmp.resolve("second.qcow2"), "64M", 0x22);
        List<Integer> mismatches = new ArrayList<>();
        try (FileChannel reader = FileChannel.open(store.fileOf("img", 1))) {
            // Each progress report of the second add reads one 4 KiB block of revision 1.
            ImageImport.add(store, second, "img", 0, (phase, done, total) -> {
                int offset = (int) (done % (expected.length - 4096)) / 4096 * 4096;
                ByteBuffer block = ByteBuffer.allocate(4096);
                try {
                    reader.read(block, offset);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (!Arrays.equals(block.array(), Arrays.copyOfRange(expected, offset, offset + 4096))) {
                    mismatches.add(offset);
                }
            });
        }
        assertThat(mismatches).isEmpty();
        assertThat(Files.mismatch(first, store.fileOf("img", 1))).isEqualTo(-1);
    }

    /**
     * The .crc file as Python's zlib computes it, an independent reference for the layout the
     * reference dnbd3 server writes: LE master CRC over the LE list, one CRC per 16 MiB, the last
     * block zero-padded to 4 KiB.
     */
    private static String crcFileByZlib(Path file) throws Exception {
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
        return hex;
    }

    private static List<String> hiddenFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }
}
