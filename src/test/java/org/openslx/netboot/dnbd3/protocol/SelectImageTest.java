package org.openslx.netboot.dnbd3.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SelectImageTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void replyMatchesTheReferenceServersBytesForTestImg() {
        // Observed from the reference server: (cmd 2, size 21, version 3, 'test.img', rid 1, 512 MiB).
        ByteBuffer wire = new SelectImageReply(3, "test.img", 1, 536870912L).encode(0);
        assertThat(HEX.formatHex(RequestHeaderTest.bytes(wire))).isEqualTo(
                "7372" + "0200" + "15000000" + "0000000000000000"
                        + "0300" + HEX.formatHex("test.img".getBytes()) + "00" + "0100" + "0000002000000000");
    }

    @Test
    void requestCarriesVersionNameRidFlagsAfterAHeaderWithItsLength() throws Exception {
        ByteBuffer wire = SelectImageRequest.of("rz/win10.qcow2", 7).encode();
        RequestHeader header = RequestHeader.decode(wire);
        assertThat(header.is(Command.SELECT_IMAGE)).isTrue();
        assertThat(header.size()).isEqualTo(2 + 15 + 2 + 1);
        assertThat(header.offset()).isZero();
        assertThat(header.handle()).isZero();
        assertThat(HEX.formatHex(RequestHeaderTest.bytes(wire)))
                .isEqualTo("0300" + HEX.formatHex("rz/win10.qcow2".getBytes()) + "00" + "0700" + "00");
        assertThat(SelectImageRequest.decodePayload(wire)).isEqualTo(new SelectImageRequest(3, "rz/win10.qcow2", 7, 0));
    }

    @Test
    void replyRoundTripsAndReportsUnusableFields() throws Exception {
        SelectImageReply reply = new SelectImageReply(3, "a/b", 0, 8192);
        assertThat(SelectImageReply.decodePayload(reply.encodePayload())).isEqualTo(reply);
        assertThat(reply.usableProblem()).contains("revision 0");
        assertThat(new SelectImageReply(1, "a", 1, 0).usableProblem()).contains("version 1");
        assertThat(new SelectImageReply(2, "a", 1, 0).usableProblem()).isNull();
    }

    @Test
    void longestNameFillsExactlyThe1000BytePayload() {
        String name = "n".repeat(SelectImageRequest.MAX_NAME_BYTES);
        assertThat(SelectImageRequest.of(name, 1).encodePayload().remaining()).isEqualTo(1000);
        assertThatThrownBy(() -> SelectImageRequest.of(name + "n", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 994");
    }

    @Test
    void nameWithoutTerminatorIsRefusedNamingTheField() {
        ByteBuffer payload = ByteBuffer.wrap(HEX.parseHex("0300" + "616263"));
        assertThatThrownBy(() -> SelectImageRequest.decodePayload(payload))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("image name").hasMessageContaining("NUL");
    }

    @Test
    void truncatedFieldsAreRefusedNamingTheField() {
        ByteBuffer payload = ByteBuffer.wrap(HEX.parseHex("0300" + "6100" + "01"));
        assertThatThrownBy(() -> SelectImageRequest.decodePayload(payload))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("field rid");
    }

    @Test
    void payloadOverTheLimitIsRefused() {
        assertThatThrownBy(() -> SelectImageRequest.decodePayload(ByteBuffer.allocate(1001)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("1001");
    }

    @Test
    void invalidUtf8NameIsRefused() {
        ByteBuffer payload = ByteBuffer.wrap(HEX.parseHex("0300" + "ff00" + "0000" + "00"));
        assertThatThrownBy(() -> SelectImageRequest.decodePayload(payload))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("UTF-8");
    }
}
