package org.openslx.netboot.dnbd3.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ReplyHeaderTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void errorReplyEncodesAs16BytesEchoingTheHandleVerbatim() {
        ByteBuffer wire = ReplyHeader.error(0x0102030405060708L).encode();
        assertThat(HEX.formatHex(RequestHeaderTest.bytes(wire)))
                .isEqualTo("7372" + "0400" + "00000000" + "0807060504030201");
    }

    @Test
    void handleBytesComeBackInTheSameOrderAsSent() throws Exception {
        ByteBuffer request = RequestHeader.getBlock(0, 1, 0x1122334455667788L).encode();
        long handle = RequestHeader.decode(request).handle();
        byte[] reply = RequestHeaderTest.bytes(ReplyHeader.of(Command.GET_BLOCK, 1, handle).encode());
        byte[] sent = RequestHeaderTest.bytes(RequestHeader.getBlock(0, 1, 0x1122334455667788L).encode());
        assertThat(java.util.Arrays.copyOfRange(reply, 8, 16)).isEqualTo(java.util.Arrays.copyOfRange(sent, 16, 24));
    }

    @Test
    void badMagicAndTruncationAreRefused() {
        assertThatThrownBy(() -> ReplyHeader.decode(ByteBuffer.wrap(new byte[16])))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("bad magic");
        assertThatThrownBy(() -> ReplyHeader.decode(ByteBuffer.wrap(new byte[15])))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("15 of 16");
    }

    @Property
    void roundTrips(@ForAll @IntRange(max = 0xffff) int command,
                    @ForAll @LongRange(max = 0xffff_ffffL) long size, @ForAll long handle) throws Exception {
        ReplyHeader header = new ReplyHeader(command, size, handle);
        assertThat(ReplyHeader.decode(header.encode())).isEqualTo(header);
    }
}
