package org.openslx.netboot.dnbd3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.dnbd3.protocol.Command;
import org.openslx.netboot.dnbd3.protocol.ReplyHeader;
import org.openslx.netboot.dnbd3.protocol.RequestHeader;
import org.openslx.netboot.dnbd3.protocol.SelectImageReply;

/**
 * Server behaviour pinned to the reference implementation's source (bwLehrpool/dnbd3), byte for
 * byte where bytes are involved. Each test names the reference file and function it follows. The
 * tests named "observed..." replay an exchange recorded against the reference dnbd3-server's
 * src/server/net.c (bwLehrpool/dnbd3 01cfa46c, built locally, issue 3): request bytes as sent,
 * reply bytes as received, with the image's random content replaced by ours.
 */
class Dnbd3ReferenceBehaviourTest extends Dnbd3ServerTestBase {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void selectImageReplyCarriesHandleZeroWhateverTheRequestHeaderCarried() throws Exception {
        // src/server/net.c net_handleNewConnection(): memset(&reply, 0) and no handle is set before the
        // SELECT_IMAGE reply. Old clients (src/shared/protocol.h dnbd3_select_image() without _DEBUG)
        // left handle and offset uninitialised, so both must be ignored.
        start();
        byte[] data = image("h.r2", 5000, 3);
        try (RawClient client = connect()) {
            ByteBuffer payload = ByteBuffer.wrap(HEX.parseHex("0300" + HEX.formatHex("h".getBytes()) + "00" + "0200" + "00"));
            client.request(new RequestHeader(Command.SELECT_IMAGE.id(), payload.remaining(), 0x00ab_cdef_0123_4567L, 0x3f,
                    0x1122_3344_5566_7788L));
            client.send(payload);
            byte[] header = client.bytes(16);
            // magic, cmd 2, size 2+2+2+8 = 14, handle 0
            assertThat(HEX.formatHex(header)).isEqualTo("7372" + "0200" + "0e000000" + "0000000000000000");
            assertThat(HEX.formatHex(client.bytes(14))).isEqualTo("0300" + "6800" + "0200" + "0020000000000000");
            assertThat(client.getBlock(0, 5000, 9)).isEqualTo(data);
        }
    }

    @Test
    void selectImageWithoutRidAndFlagsAsksForTheLatestRevision() throws Exception {
        // src/shared/serialize.c: serializer_get_uint16()/uint8() return 0 past the payload's end, so
        // src/server/net.c reads a missing rid as 0 (latest) and missing flags as 0.
        start();
        image("m.r1", 4096, 1);
        image("m.r3", 8192, 2);
        try (RawClient client = connect()) {
            byte[] payload = HEX.parseHex("0300" + HEX.formatHex("m".getBytes()) + "00");
            client.request(RequestHeader.of(Command.SELECT_IMAGE, payload.length, 0));
            client.send(payload);
            ReplyHeader header = client.reply();
            assertThat(header.is(Command.SELECT_IMAGE)).isTrue();
            assertThat(SelectImageReply.decodePayload(ByteBuffer.wrap(client.bytes(header.size()))))
                    .isEqualTo(new SelectImageReply(3, "m", 3, 8192));
        }
    }

    @Test
    void revisionSuffixWithLeadingZerosIsThatRevision() throws Exception {
        // src/server/image.c image_load() parses the digits after ".r" with atoi(), and
        // loadImageServer() globs "<name>.r*" and parses them with strtol(): "x.r007" is x revision 7.
        start();
        byte[] seven = image("dir/x.r007", 6000, 7);
        image("dir/x.r5", 4096, 5);
        try (RawClient client = connect()) {
            SelectImageReply reply = client.select("dir/x", 0);
            assertThat(reply).isEqualTo(new SelectImageReply(3, "dir/x", 7, 8192));
            assertThat(client.getBlock(0, 6000, 1)).isEqualTo(seven);
            assertThat(client.getBlock(6000, 2192, 2)).isEqualTo(new byte[2192]);
        }
        try (RawClient client = connect()) {
            assertThat(client.select("dir/x", 7).rid()).isEqualTo(7);
        }
        try (RawClient client = connect()) {
            assertThat(client.select("dir/x", 5).rid()).isEqualTo(5);
        }
    }

    /** A request header as the bytes on the wire: magic, cmd, size, offset (with hop byte), handle. */
    private static byte[] request(int cmd, long size, long offset, long handle) {
        return new RequestHeader(cmd, size, offset & 0x00ff_ffff_ffff_ffffL, (int) (offset >>> 56), handle).encode().array();
    }

    private static String replyHex(RawClient client) throws Exception {
        return HEX.formatHex(client.bytes(16));
    }

    @Test
    void observedNonBlockRepliesRepeatTheHandleOfTheLastGetBlock() throws Exception {
        // Reference transcript: SELECT test.img rid 1; GET_BLOCK 4096@0 handle 107; KEEPALIVE;
        // GET_SERVERS; GET_CRC32 -> every non-block reply carried handle 0x6b (one reply struct per
        // connection in net_handleNewConnection()); before any GET_BLOCK it is 0.
        start();
        image("test.img.r1", (20 << 20) + 1234, 4);
        CrcListWriter.write(base.resolve("test.img.r1"), done -> { });
        server.images().scan();
        try (RawClient client = connect()) {
            client.select("test.img", 1);
            client.send(request(5, 0, 0, 55));
            assertThat(replyHex(client)).isEqualTo("7372" + "0500" + "00000000" + "0000000000000000");
            client.send(request(1, 4096, 0, 107));
            assertThat(replyHex(client)).isEqualTo("7372" + "0100" + "00100000" + "6b00000000000000");
            client.bytes(4096);
            client.send(request(5, 0, 0, 0));
            assertThat(replyHex(client)).isEqualTo("7372" + "0500" + "00000000" + "6b00000000000000");
            client.send(request(3, 0, 0, 0));
            assertThat(replyHex(client)).isEqualTo("7372" + "0300" + "00000000" + "6b00000000000000");
            client.send(request(8, 0, 0, 0));
            assertThat(replyHex(client)).isEqualTo("7372" + "0800" + "0c000000" + "6b00000000000000");
            client.bytes(12);
            client.send(request(1, 10, 20975616, 9)); // at the virtual end: ERROR with the request's handle
            assertThat(replyHex(client)).isEqualTo("7372" + "0400" + "00000000" + "0900000000000000");
            client.send(request(5, 0, 0, 0));
            assertThat(replyHex(client)).isEqualTo("7372" + "0500" + "00000000" + "0900000000000000");
        }
    }

    @Test
    void observedSetClientModeAndUnknownCommandsGetNoReplyWhileLatestRidIsAnswered() throws Exception {
        // Reference: CMD_SET_CLIENT_MODE (7) only clears a flag and unknown commands hit the
        // "Unknown command" default branch; neither is answered. CMD_LATEST_RID (6) is unanswered by
        // the reference too, but issue 3 has ours answer it (the newest revision, here 2), with the
        // last GET_BLOCK's handle 0x0d like every non-block reply.
        start();
        image("m.r1", 8192, 2);
        image("m.r2", 8192, 3);
        try (RawClient client = connect()) {
            client.select("m", 1);
            client.send(request(1, 5, 4097L | (0x42L << 56), 13)); // hop byte 0x42 ignored
            assertThat(replyHex(client)).isEqualTo("7372" + "0100" + "05000000" + "0d00000000000000");
            client.bytes(5);
            client.send(request(6, 0, 0, 1));
            assertThat(replyHex(client)).isEqualTo("7372" + "0600" + "02000000" + "0d00000000000000");
            assertThat(client.bytes(2)).containsExactly(2, 0);
            client.send(request(7, 0, 0, 2));
            client.send(request(99, 0, 0, 3));
            client.send(request(5, 0, 0, 4));
            assertThat(replyHex(client)).isEqualTo("7372" + "0500" + "00000000" + "0d00000000000000");
            assertThat(client.getBlock(0, 4, 14)).hasSize(4);
        }
    }

    @Test
    void observedPayloadAfterAnOtherCommandIsReadAsTheNextHeader() throws Exception {
        // Reference: only SELECT_IMAGE's payload is read (recv_request_payload); GET_SERVERS with
        // size 4 and "abcd" was answered, then "abcd" + the next KEEPALIVE's first 20 bytes made a
        // header with a bad magic, and the connection was closed without a KEEPALIVE reply.
        start();
        image("p.r1", 4096, 2);
        try (RawClient client = connect()) {
            client.select("p", 1);
            client.send(request(3, 4, 0, 0));
            client.send("abcd".getBytes());
            client.send(request(5, 0, 0, 0));
            assertThat(replyHex(client)).isEqualTo("7372" + "0300" + "00000000" + "0000000000000000");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void observedGetBlockEdgesAtTheEndOfAnUnalignedImage() throws Exception {
        // Reference transcript for a 20972754-byte image (virtual size 20975616): size 0 inside the
        // image -> empty GET_BLOCK reply; 4096 bytes from 100 before the real end -> ERROR (past the
        // virtual end); 1000 bytes from there -> 100 data bytes and 900 zeros.
        start();
        byte[] data = image("e.r1", 20972754, 6);
        try (RawClient client = connect()) {
            assertThat(client.select("e", 1).imageSize()).isEqualTo(20975616);
            client.send(request(1, 0, 20975615, 10));
            assertThat(replyHex(client)).isEqualTo("7372" + "0100" + "00000000" + "0a00000000000000");
            client.send(request(1, 4096, 20972654, 11));
            assertThat(replyHex(client)).isEqualTo("7372" + "0400" + "00000000" + "0b00000000000000");
            client.send(request(1, 1000, 20972654, 12));
            assertThat(replyHex(client)).isEqualTo("7372" + "0100" + "e8030000" + "0c00000000000000");
            byte[] expected = new byte[1000];
            System.arraycopy(data, 20972654, expected, 0, 100);
            assertThat(client.bytes(1000)).isEqualTo(expected);
        }
    }
}
