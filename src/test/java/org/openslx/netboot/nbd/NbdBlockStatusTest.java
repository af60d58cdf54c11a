package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileSource;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.block.partition.SliceSource;

/**
 * NBD block status ({@code base:allocation}): what real clients (qemu-img map and nbdinfo --map
 * over NBD, nbdsh) see must equal what qemu-img map says of the file itself, for qcow2 images
 * (data, zero, unallocated and compressed clusters; a fragmented image that needs several
 * replies), sparse raw files and partitions. Misuse (no context negotiated, ranges past the
 * end, malformed options) gets the protocol's errors and the connection goes on.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NbdBlockStatusTest {
    private static final int EINVAL = 22;
    private static final int OPT_LIST_META_CONTEXT = 9;
    private static final int OPT_SET_META_CONTEXT = 10;
    private static final int REP_ACK = 1;
    private static final int REP_META_CONTEXT = 4;
    private static final int REP_ERR_INVALID = 0x80000003;
    private static final int CMD_BLOCK_STATUS = 7;
    private static final int CMD_FLAG_REQ_ONE = 1 << 3;
    private static final short REPLY_TYPE_BLOCK_STATUS = 5;
    private static final short REPLY_TYPE_ERROR = (short) 0x8001;
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;
    private BlockSource source;
    private NbdServer server;
    private Path socket;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (source != null) {
            source.close();
        }
    }

    /** One entry of qemu-img map's JSON, the fields that block status decides. */
    record Run(long start, long length, boolean data, boolean zero) {
    }

    private static final Pattern MAP_ENTRY = Pattern.compile(
            "\"start\": (\\d+), \"length\": (\\d+),.*?\"zero\": (true|false), \"data\": (true|false)");

    /** qemu-img map's runs of {@code target}, neighbours with equal flags joined. */
    private static List<Run> qemuImgMap(String format, String target) throws Exception {
        String json = Tools.run("qemu-img", "map", "--output=json", "-f", format, target).assertSuccess().stdout();
        List<Run> runs = new ArrayList<>();
        Matcher m = MAP_ENTRY.matcher(json);
        while (m.find()) {
            add(runs, new Run(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    Boolean.parseBoolean(m.group(4)), Boolean.parseBoolean(m.group(3))));
        }
        return runs;
    }

    private static void add(List<Run> runs, Run run) {
        if (!runs.isEmpty()) {
            Run last = runs.getLast();
            if (last.data() == run.data() && last.zero() == run.zero() && last.start() + last.length() == run.start()) {
                runs.set(runs.size() - 1, new Run(last.start(), last.length() + run.length(), run.data(), run.zero()));
                return;
            }
        }
        runs.add(run);
    }

    private String serve(BlockSource exported) throws IOException {
        source = exported;
        socket = dir.resolve("nbd.sock");
        server = NbdServer.serveUnix(socket, source);
        return Tools.unixUri(socket);
    }

    private static void run(String... command) throws Exception {
        Tools.run(command).assertSuccess();
    }

    /** 8 MiB, 64 KiB clusters: data, a zero cluster run, unallocated space, a compressed cluster. */
    private Path mixedQcow2() throws Exception {
        Path image = dir.resolve("mixed.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "8M");
        run("qemu-io", "-c", "write -P 1 0 1M", "-c", "write -z 2M 1M", "-c", "write -P 2 5M 64k",
                "-c", "write -c -P 3 6M 64k", "-c", "write -P 4 8128k 64k", image.toString());
        return image;
    }

    @Test
    void qemuImgMapOverNbdEqualsQemuImgMapOfTheQcow2File() throws Exception {
        Path image = mixedQcow2();
        String uri = serve(Sources.open(image.toString(), null));

        List<Run> overNbd = qemuImgMap("raw", uri);

        assertThat(overNbd).isEqualTo(qemuImgMap("qcow2", image.toString()));
        assertThat(overNbd).extracting(Run::data).contains(true, false);
    }

    @Test
    void nbdinfoMapListsDataAndHoleZeroRunsOfTheQcow2Image() throws Exception {
        Path image = mixedQcow2();
        String uri = serve(Sources.open(image.toString(), null));

        String map = Tools.run("nbdinfo", "--map", uri).assertSuccess().stdout();

        List<String> lines = map.lines().map(String::strip).map(line -> line.replaceAll("\\s+", " ")).toList();
        assertThat(lines).containsExactly("0 1048576 0 data", "1048576 4194304 3 hole,zero",
                "5242880 65536 0 data", "5308416 983040 3 hole,zero", "6291456 65536 0 data",
                "6356992 1966080 3 hole,zero", "8323072 65536 0 data");
    }

    @Test
    void fragmentedImageNeedsSeveralRepliesAndClientsStillGetTheWholeMap() throws Exception {
        // Every other 512-byte sector holds data; qemu-img convert leaves the zero ones
        // unallocated, so the map has 8192 runs, more than one reply carries.
        Path raw = dir.resolve("fragmented.raw");
        byte[] bytes = new byte[4 * MIB];
        for (int sector = 0; sector < 8192; sector += 2) {
            bytes[sector * 512 + 7] = (byte) (sector | 1);
        }
        Files.write(raw, bytes);
        Path image = dir.resolve("fragmented.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-S", "512", "-o", "cluster_size=512", raw.toString(),
                image.toString());
        String uri = serve(Sources.open(image.toString(), null));

        List<Run> fileMap = qemuImgMap("qcow2", image.toString());
        assertThat(fileMap).hasSizeGreaterThan(BlockStatus.MAX_DESCRIPTORS);
        assertThat(qemuImgMap("raw", uri)).isEqualTo(fileMap);

        try (RawNbdClient client = clientWithBaseAllocation()) {
            client.sendRequest(0, CMD_BLOCK_STATUS, 5, 0, 4 * MIB);
            List<long[]> descriptors = blockStatus(client.readChunk(), 5);
            assertThat(descriptors).hasSizeLessThanOrEqualTo(BlockStatus.MAX_DESCRIPTORS);
            assertThat(descriptors.get(0)).containsExactly(512, 0);
            assertThat(descriptors.get(1)).containsExactly(512, 3);
            assertThat(descriptors.stream().mapToLong(d -> d[0]).sum()).isLessThanOrEqualTo(4 * MIB);
        }
    }

    @Test
    void holesOfASparseRawFileShowAsTheFileSystemReportsThem() throws Exception {
        Path raw = dir.resolve("sparse.raw");
        try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength(16 * MIB);
            file.seek(MIB);
            file.write(new byte[] {1, 2, 3});
            file.seek(9 * MIB);
            file.write(new byte[256 * 1024]); // written zeros are data, not a hole
        }
        String uri = serve(FileSource.openReadOnly(raw));

        List<Run> overNbd = qemuImgMap("raw", uri);

        assertThat(overNbd).isEqualTo(qemuImgMap("raw", raw.toString()));
        assertThat(overNbd).extracting(Run::data).contains(true, false);
    }

    @Test
    void aPartitionReportsTheAllocationOfItsRangeOfTheDisk() throws Exception {
        Path image = mixedQcow2();
        List<Run> disk = qemuImgMap("qcow2", image.toString());
        long start = 512 * 1024;
        long length = 6 * MIB;
        String uri = serve(new SliceSource(Sources.open(image.toString(), null), start, length, "partition 1"));

        List<Run> expected = new ArrayList<>();
        for (Run run : disk) {
            long from = Math.max(run.start(), start);
            long to = Math.min(run.start() + run.length(), start + length);
            if (from < to) {
                add(expected, new Run(from - start, to - from, run.data(), run.zero()));
            }
        }
        assertThat(qemuImgMap("raw", uri)).isEqualTo(expected);
    }

    @Test
    void reqOneFlagGetsOneDescriptorNoLongerThanAsked() throws Exception {
        String uri = serve(Sources.open(mixedQcow2().toString(), null));

        String out = Tools.nbdsh("h.add_meta_context('base:allocation')\n"
                + "h.connect_uri('" + uri + "')\n"
                + "seen = []\n"
                + "def f(ctx, offset, entries, err):\n"
                + "    seen.append((ctx, list(entries)))\n"
                + "    return 0\n"
                + "h.block_status(3 * 1024 * 1024, 512 * 1024, f, nbd.CMD_FLAG_REQ_ONE)\n"
                + "print(seen)\n").assertSuccess().stdout();

        assertThat(out.strip()).isEqualTo("[('base:allocation', [524288, 0])]");
    }

    @Test
    void listMetaContextOffersBaseAllocationEvenWithoutStructuredReplies() throws IOException {
        serve(Sources.open(TestFiles.pattern(dir.resolve("disk.raw"), MIB).toString(), null));
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.sendOption(OPT_LIST_META_CONTEXT, metaContextRequest());

            RawNbdClient.OptionReply context = client.readOptionReply();
            assertThat(context.type()).isEqualTo(REP_META_CONTEXT);
            assertThat(new String(context.data(), 4, context.data().length - 4, StandardCharsets.UTF_8))
                    .isEqualTo("base:allocation");
            assertThat(client.readOptionReply().type()).isEqualTo(REP_ACK);
        }
    }

    @Test
    void setMetaContextWithoutStructuredRepliesIsRefusedAsInvalid() throws IOException {
        serve(Sources.open(TestFiles.pattern(dir.resolve("disk.raw"), MIB).toString(), null));
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.sendOption(OPT_SET_META_CONTEXT, metaContextRequest("base:allocation"));

            assertThat(client.readOptionReply().type()).isEqualTo(REP_ERR_INVALID);
            client.go();
            client.sendRequest(0, CMD_BLOCK_STATUS, 9, 0, 4096);
            assertThat(client.readSimpleReply()).isEqualTo(new RawNbdClient.SimpleReply(EINVAL, 9));
            assertThat(client.read(0, 4096)).hasSize(4096);
        }
    }

    @Test
    void malformedSetMetaContextIsRefusedAsInvalidAndNegotiationGoesOn() throws IOException {
        serve(Sources.open(TestFiles.pattern(dir.resolve("disk.raw"), MIB).toString(), null));
        try (RawNbdClient client = RawNbdClient.connect(socket)) {
            client.greet();
            client.enableStructuredReplies();
            // Claims four billion queries in 8 bytes of option data.
            client.sendOption(OPT_SET_META_CONTEXT, ByteBuffer.allocate(8).putInt(0).putInt(-1).array());
            assertThat(client.readOptionReply().type()).isEqualTo(REP_ERR_INVALID);
            // A query whose length points past the option's end.
            client.sendOption(OPT_SET_META_CONTEXT, ByteBuffer.allocate(12).putInt(0).putInt(1).putInt(1000).array());
            assertThat(client.readOptionReply().type()).isEqualTo(REP_ERR_INVALID);
            // An unknown context selects nothing, so BLOCK_STATUS stays refused.
            client.sendOption(OPT_SET_META_CONTEXT, metaContextRequest("qemu:dirty-bitmap:x"));
            assertThat(client.readOptionReply().type()).isEqualTo(REP_ACK);
            client.go();

            client.sendRequest(0, CMD_BLOCK_STATUS, 10, 0, 4096);
            assertError(client.readChunk(), 10, EINVAL);
        }
    }

    @Test
    void blockStatusPastTheEndOrOfNothingIsRefusedWithEinvalAndTheConnectionGoesOn() throws IOException {
        serve(Sources.open(TestFiles.pattern(dir.resolve("disk.raw"), MIB).toString(), null));
        try (RawNbdClient client = clientWithBaseAllocation()) {
            client.sendRequest(0, CMD_BLOCK_STATUS, 1, MIB - 512, 4096);
            assertError(client.readChunk(), 1, EINVAL);
            client.sendRequest(0, CMD_BLOCK_STATUS, 2, 0xFFFFFFFFFFFFF000L, 4096);
            assertError(client.readChunk(), 2, EINVAL);
            client.sendRequest(0, CMD_BLOCK_STATUS, 3, 0, 0);
            assertError(client.readChunk(), 3, EINVAL);
            client.sendRequest(1 << 7, CMD_BLOCK_STATUS, 4, 0, 4096);
            assertError(client.readChunk(), 4, EINVAL);

            client.sendRequest(0, CMD_BLOCK_STATUS, 5, MIB - 4096, 4096);
            assertThat(blockStatus(client.readChunk(), 5)).containsExactly(new long[] {4096, 0});
        }
    }

    /** A client with structured replies and base:allocation, in transmission. */
    private RawNbdClient clientWithBaseAllocation() throws IOException {
        RawNbdClient client = RawNbdClient.connect(socket);
        client.greet();
        client.enableStructuredReplies();
        client.sendOption(OPT_SET_META_CONTEXT, metaContextRequest("base:allocation"));
        RawNbdClient.OptionReply context = client.readOptionReply();
        assertThat(context.type()).isEqualTo(REP_META_CONTEXT);
        assertThat(client.readOptionReply().type()).isEqualTo(REP_ACK);
        client.go();
        return client;
    }

    /** The descriptors (length, flags) of a final BLOCK_STATUS chunk for {@code handle}. */
    private static List<long[]> blockStatus(RawNbdClient.Chunk chunk, long handle) {
        assertThat(chunk.type()).isEqualTo(REPLY_TYPE_BLOCK_STATUS);
        assertThat(chunk.flags() & 1).as("DONE").isEqualTo(1);
        assertThat(chunk.handle()).isEqualTo(handle);
        ByteBuffer payload = ByteBuffer.wrap(chunk.payload());
        assertThat(payload.getInt()).as("context id").isEqualTo(NbdProtocol.BASE_ALLOCATION_ID);
        List<long[]> descriptors = new ArrayList<>();
        while (payload.hasRemaining()) {
            descriptors.add(new long[] {Integer.toUnsignedLong(payload.getInt()), payload.getInt()});
        }
        return descriptors;
    }

    private static void assertError(RawNbdClient.Chunk chunk, long handle, int error) {
        assertThat(chunk.type()).isEqualTo(REPLY_TYPE_ERROR);
        assertThat(chunk.handle()).isEqualTo(handle);
        assertThat(ByteBuffer.wrap(chunk.payload()).getInt()).isEqualTo(error);
    }

    /** LIST/SET_META_CONTEXT data for the default export with these queries. */
    private static byte[] metaContextRequest(String... queries) {
        ByteBuffer data = ByteBuffer.allocate(1024).putInt(0).putInt(queries.length);
        for (String query : queries) {
            byte[] bytes = query.getBytes(StandardCharsets.UTF_8);
            data.putInt(bytes.length).put(bytes);
        }
        byte[] result = new byte[data.position()];
        data.flip().get(result);
        return result;
    }
}
