package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileSource;

/**
 * WRITE, FLUSH and TRIM through nbdsh (libnbd): accepted only where the source says it can,
 * refused with the protocol's errors elsewhere. libnbd's strict mode is turned off where a
 * test sends what the server did not advertise, so the refusal comes from the server.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NbdWritableExportTest {
    private static final int SIZE = 2 * 1024 * 1024;

    @TempDir
    Path dir;
    private Path file;
    private Path socket;
    private BlockSource source;
    private NbdServer server;

    @BeforeEach
    void createFile() throws IOException {
        file = TestFiles.pattern(dir.resolve("disk.raw"), SIZE);
        socket = dir.resolve("nbd.sock");
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

    private void serve(BlockSource exported) throws IOException {
        source = exported;
        server = NbdServer.serveUnix(socket, source);
    }

    private String connect(boolean structured) {
        return "import errno\n"
                + "h.set_request_structured_replies(" + (structured ? "True" : "False") + ")\n"
                + "h.connect_unix('" + socket + "')\n";
    }

    @Test
    void writableExportAdvertisesWriteFlushAndFuaButNotMultiConn() throws Exception {
        serve(FileSource.openWritable(file));

        String json = Tools.run("nbdinfo", "--json", Tools.unixUri(socket)).assertSuccess().stdout();

        assertThat(json.replaceAll("\\s", ""))
                .contains("\"is_read_only\":false")
                .contains("\"can_flush\":true")
                .contains("\"can_fua\":true")
                .contains("\"can_trim\":false")
                .contains("\"can_multi_conn\":false");
    }

    @Test
    void writesAndFlushesLandInTheFileInBothReplyStyles() throws Exception {
        serve(FileSource.openWritable(file));
        byte[] before = Files.readAllBytes(file);

        for (boolean structured : new boolean[] {false, true}) {
            Tools.nbdsh(connect(structured) + """
                    h.pwrite(b'hello nbd ' * 1000, 12345)
                    h.flush()
                    h.pwrite(b'\\x42' * 3, 999, nbd.CMD_FLAG_FUA)
                    assert h.pread(10, 12345) == b'hello nbd '
                    h.shutdown()
                    """).assertSuccess();
        }

        byte[] after = Files.readAllBytes(file);
        byte[] hello = "hello nbd ".repeat(1000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Arrays.copyOfRange(after, 12345, 12345 + hello.length)).isEqualTo(hello);
        assertThat(Arrays.copyOfRange(after, 999, 1002)).containsExactly(0x42, 0x42, 0x42);
        assertThat(Arrays.copyOfRange(after, 0, 999)).isEqualTo(Arrays.copyOfRange(before, 0, 999));
        assertThat(Arrays.copyOfRange(after, 12345 + hello.length, SIZE))
                .isEqualTo(Arrays.copyOfRange(before, 12345 + hello.length, SIZE));
    }

    @Test
    void writeOf32MiBIsStreamedIntoTheFile() throws Exception {
        Path big = TestFiles.pattern(dir.resolve("big.raw"), 40L * 1024 * 1024);
        serve(TestSources.filter(FileSource.openWritable(big)));

        Tools.nbdsh(connect(false) + """
                data = bytes(range(256)) * (32 * 1024 * 4)
                h.pwrite(data, 4 * 1024 * 1024 + 7)
                h.flush()
                assert h.pread(len(data), 4 * 1024 * 1024 + 7) == data
                h.shutdown()
                """).assertSuccess();

        byte[] written = new byte[32 * 1024 * 1024];
        try (var channel = java.nio.channels.FileChannel.open(big)) {
            channel.read(java.nio.ByteBuffer.wrap(written), 4 * 1024 * 1024 + 7);
        }
        for (int i = 0; i < written.length; i += 4099) {
            assertThat(written[i]).as("byte %d", i).isEqualTo((byte) i);
        }
    }

    @Test
    void readOnlyExportAnswersWritesWithEperm() throws Exception {
        serve(FileSource.openReadOnly(file));
        byte[] before = Files.readAllBytes(file);

        for (boolean structured : new boolean[] {false, true}) {
            Tools.nbdsh(connect(structured) + """
                    h.set_strict_mode(0)
                    try:
                        h.pwrite(b'x' * 4096, 0)
                        raise AssertionError('write succeeded')
                    except nbd.Error as e:
                        assert e.errnum == errno.EPERM, e
                    assert len(h.pread(4096, 0)) == 4096
                    h.shutdown()
                    """).assertSuccess();
        }

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void writePastTheEndIsRefusedWithEnospc() throws Exception {
        serve(FileSource.openWritable(file));

        Tools.nbdsh(connect(true) + """
                h.set_strict_mode(0)
                try:
                    h.pwrite(b'x' * 100, h.get_size() - 10)
                    raise AssertionError('write succeeded')
                except nbd.Error as e:
                    assert e.errnum == errno.ENOSPC, e
                h.shutdown()
                """).assertSuccess();

        assertThat(Files.size(file)).isEqualTo(SIZE);
    }

    @Test
    void trimIsRefusedWhenTheSourceCannotTrim() throws Exception {
        serve(FileSource.openWritable(file));

        Tools.nbdsh(connect(false) + """
                assert not h.can_trim()
                h.set_strict_mode(0)
                try:
                    h.trim(4096, 0)
                    raise AssertionError('trim succeeded')
                except nbd.Error as e:
                    assert e.errnum == errno.EINVAL, e
                h.shutdown()
                """).assertSuccess();
    }

    @Test
    void trimReachesASourceThatCanTrim() throws Exception {
        serve(TestSources.trimming(FileSource.openWritable(file)));

        Tools.nbdsh(connect(false) + """
                assert h.can_trim()
                h.trim(8192, 4096)
                assert h.pread(8192, 4096) == bytes(8192)
                h.shutdown()
                """).assertSuccess();
    }
}
