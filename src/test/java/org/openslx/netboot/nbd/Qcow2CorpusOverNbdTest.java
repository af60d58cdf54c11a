package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.block.qcow2.Qcow2Corpus;

/**
 * The block layer's proof end to end: every qcow2 variant of the corpus, decoded by our qcow2
 * filter and exported by our NBD server, read by real clients (nbdcopy, qemu-img, and nbdsh with
 * structured replies off, as the kernel's nbd driver speaks) equals {@code qemu-img convert -O raw}.
 */
class Qcow2CorpusOverNbdTest {
    @TempDir
    static Path dir;

    private static final Qcow2Corpus.Cache CORPUS = new Qcow2Corpus.Cache();

    static Stream<Qcow2Corpus.Variant> variants() {
        return Qcow2Corpus.variants().stream();
    }

    private static Qcow2Corpus.Image image(Qcow2Corpus.Variant variant) {
        return CORPUS.image(variant, dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void realClientsReadTheDecodedImageByteForByte(Qcow2Corpus.Variant variant) throws Exception {
        Qcow2Corpus.Image image = image(variant);
        Path work = Files.createDirectories(dir.resolve("nbd-" + variant.name()));
        Path socket = work.resolve("nbd.sock");
        try (BlockSource source = Sources.open(image.qcow2().toString(), null);
             NbdServer server = NbdServer.serveUnix(socket, source)) {
            Path viaNbdcopy = work.resolve("nbdcopy.raw");
            Tools.run("nbdcopy", Tools.unixUri(socket), viaNbdcopy.toString()).assertSuccess();
            assertThat(Files.mismatch(viaNbdcopy, image.raw())).as("nbdcopy of " + variant).isEqualTo(-1);
            Files.delete(viaNbdcopy);

            Path viaQemuImg = work.resolve("qemu-img.raw");
            Tools.run("qemu-img", "convert", "-f", "raw", Tools.unixUri(socket), "-O", "raw",
                    viaQemuImg.toString()).assertSuccess();
            assertThat(Files.mismatch(viaQemuImg, image.raw())).as("qemu-img convert of " + variant).isEqualTo(-1);
            Files.delete(viaQemuImg);

            String kernelLike = "h.set_request_structured_replies(False)\n"
                    + "h.connect_unix('" + socket + "')\n"
                    + "assert not h.get_structured_replies_negotiated()\n"
                    + "expected = open('" + image.raw() + "', 'rb')\n"
                    + "size = h.get_size()\n"
                    + "off = 0\n"
                    + "while off < size:\n"
                    + "    n = min(1 << 20, size - off)\n"
                    + "    assert h.pread(n, off) == expected.read(n), off\n"
                    + "    off += n\n"
                    + "for o, n in [(1, 511), (4095, 4097), (size - 777, 777)]:\n"
                    + "    expected.seek(o)\n"
                    + "    assert h.pread(n, o) == expected.read(n), (o, n)\n"
                    + "h.shutdown()\n"
                    + "print('ok')\n";
            assertThat(Tools.nbdsh(kernelLike).assertSuccess().stdout()).contains("ok");
        }
    }
}
