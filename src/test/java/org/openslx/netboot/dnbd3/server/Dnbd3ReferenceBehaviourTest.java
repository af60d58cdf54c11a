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
 * byte where bytes are involved. Each test names the reference file and function it follows.
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
}
