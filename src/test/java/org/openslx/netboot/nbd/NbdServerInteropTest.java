package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileSource;

/**
 * The server against real NBD clients nobody here wrote: nbdcopy, qemu-img, nbdinfo and nbdsh
 * (libnbd), the last one also without structured replies, as the kernel's nbd driver speaks.
 * Each read must equal the file byte for byte, on both of the server's read paths.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NbdServerInteropTest {
    /** Whole MiBs plus a few sectors: qemu's NBD client wants sizes in whole sectors. */
    private static final long SIZE = 5 * 1024 * 1024 + 3 * 512;

    @TempDir
    Path dir;
    private BlockSource source;
    private NbdServer server;

    /** The server's two read paths. */
    enum Kind {
        /** A plain file: replies are sent with sendfile. */
        PLAIN_FILE,
        /** Any other source (qcow2, partition, dnbd3): read into a buffer piece by piece, then sent. */
        FILTER;

        BlockSource open(Path file) throws IOException {
            FileSource plain = FileSource.openReadOnly(file);
            return this == PLAIN_FILE ? plain : TestSources.filter(plain);
        }
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (source != null) {
            source.close();
        }
    }

    private Path serveUnix(Kind kind, long size) throws IOException {
        Path file = TestFiles.pattern(dir.resolve("disk.raw"), size);
        source = kind.open(file);
        Path socket = dir.resolve("nbd.sock");
        server = NbdServer.serveUnix(socket, source);
        return socket;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void nbdcopyOverUnixSocketCopiesTheExportByteForByte(Kind kind) throws Exception {
        Path socket = serveUnix(kind, SIZE);
        Path copy = dir.resolve("copy.raw");

        Tools.run("nbdcopy", Tools.unixUri(socket), copy.toString()).assertSuccess();

        assertThat(Files.mismatch(copy, dir.resolve("disk.raw"))).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void nbdcopyOverTcpLoopbackCopiesTheExportByteForByte(Kind kind) throws Exception {
        Path file = TestFiles.pattern(dir.resolve("disk.raw"), SIZE);
        source = kind.open(file);
        server = NbdServer.serveTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), source);
        int port = Integer.parseInt(server.endpoints().getFirst().replaceAll(".*:", ""));
        Path copy = dir.resolve("copy.raw");

        Tools.run("nbdcopy", "nbd://127.0.0.1:" + port, copy.toString()).assertSuccess();

        assertThat(Files.mismatch(copy, file)).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void qemuImgConvertFromNbdEqualsTheFile(Kind kind) throws Exception {
        Path socket = serveUnix(kind, SIZE);
        Path copy = dir.resolve("copy.raw");

        Tools.run("qemu-img", "convert", "-f", "raw", Tools.unixUri(socket), "-O", "raw", copy.toString())
                .assertSuccess();

        assertThat(Files.mismatch(copy, dir.resolve("disk.raw"))).isEqualTo(-1);
    }

    @Test
    void nbdinfoDescribesAReadOnlyMultiConnExportWithBlockSizes() throws Exception {
        Path socket = serveUnix(Kind.PLAIN_FILE, SIZE);

        String json = Tools.run("nbdinfo", "--json", Tools.unixUri(socket)).assertSuccess().stdout();

        assertThat(json.replaceAll("\\s", ""))
                .contains("\"export-size\":" + SIZE)
                .contains("\"is_read_only\":true")
                .contains("\"can_multi_conn\":true")
                .contains("\"can_flush\":false")
                .contains("\"can_trim\":false")
                .contains("\"structured\":true")
                .contains("\"block_size_minimum\":1")
                .contains("\"block_size_preferred\":4096")
                .contains("\"block_size_maximum\":33554432");
    }

    @Test
    void optListShowsTheOneExportUnderItsName() throws Exception {
        Path file = TestFiles.pattern(dir.resolve("disk.raw"), SIZE);
        source = FileSource.openReadOnly(file);
        Path socket = dir.resolve("nbd.sock");
        server = new NbdServer(new Export("root", source));
        server.listenUnix(socket);

        String json = Tools.run("nbdinfo", "--list", "--json", Tools.unixUri(socket)).assertSuccess().stdout();

        assertThat(json.replaceAll("\\s", "")).contains("\"export-name\":\"root\"").contains("\"export-size\":" + SIZE);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void kernelLikeClientWithoutStructuredRepliesReadsOddOffsets(Kind kind) throws Exception {
        long oddSize = 1024 * 1024 + 1234;
        Path socket = serveUnix(kind, oddSize);

        Tools.nbdsh(readScript(socket, false, oddOffsets())).assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void structuredRepliesReadOddOffsetsToo(Kind kind) throws Exception {
        long oddSize = 1024 * 1024 + 1234;
        Path socket = serveUnix(kind, oddSize);

        Tools.nbdsh(readScript(socket, true, oddOffsets())).assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void readsOf32MiBArriveWholeInBothReplyStyles(Kind kind) throws Exception {
        Path socket = serveUnix(kind, 40L * 1024 * 1024);
        String reads = "[(0, 32 * 1024 * 1024), (12345, 32 * 1024 * 1024), (size - 32 * 1024 * 1024, 32 * 1024 * 1024)]";

        Tools.nbdsh(readScript(socket, false, reads)).assertSuccess();
        Tools.nbdsh(readScript(socket, true, reads)).assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void pipelinedReadsAllComeBackRight(Kind kind) throws Exception {
        Path socket = serveUnix(kind, SIZE);
        for (boolean structured : new boolean[] {false, true}) {
            String script = prologue(socket, structured) + """
                    requests = []
                    for i in range(64):
                        n = 1 + (i * 7919) % 300000
                        off = (i * 104729 * 13) % (size - n)
                        buf = nbd.Buffer(n)
                        requests.append((h.aio_pread(buf, off), buf, off, n))
                    assert h.aio_in_flight() > 1, h.aio_in_flight()
                    while h.aio_in_flight() > 0:
                        h.poll(-1)
                    for cookie, buf, off, n in requests:
                        assert h.aio_command_completed(cookie)
                        assert buf.to_bytearray() == data[off:off + n], (off, n)
                    h.shutdown()
                    print('ok')
                    """;
            assertThat(Tools.nbdsh(script).assertSuccess().stdout()).contains("ok");
        }
    }

    private static String oddOffsets() {
        return "[(0, 1), (1, 511), (511, 2), (4095, 4097), (12345, 100000), (777, 300001), "
                + "(size - 1, 1), (size - 777, 777), (3, size - 3)]";
    }

    private static String prologue(Path socket, boolean structured) {
        return "h.set_request_structured_replies(" + (structured ? "True" : "False") + ")\n"
                + "h.connect_unix('" + socket + "')\n"
                + "assert h.get_structured_replies_negotiated() == " + (structured ? "True" : "False") + "\n"
                + "data = open('" + socket.resolveSibling("disk.raw") + "', 'rb').read()\n"
                + "size = h.get_size()\n"
                + "assert size == len(data), (size, len(data))\n";
    }

    private static String readScript(Path socket, boolean structured, String reads) {
        return prologue(socket, structured)
                + "for off, n in " + reads + ":\n"
                + "    assert h.pread(n, off) == data[off:off + n], (off, n)\n"
                + "h.shutdown()\n"
                + "print('ok')\n";
    }
}
