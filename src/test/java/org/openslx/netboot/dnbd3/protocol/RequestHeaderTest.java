package org.openslx.netboot.dnbd3.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RequestHeaderTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void getBlockEncodesLittleEndianWith56BitOffsetAndHopByte() {
        RequestHeader header = new RequestHeader(1, 4096, 0x01020304050607L, 5, 0x1122334455667788L);
        assertThat(HEX.formatHex(bytes(header.encode())))
                .isEqualTo("7372" + "0100" + "00100000" + "07060504030201" + "05" + "8877665544332211");
    }

    @Test
    void decodeTakesOffsetFromLow56BitsAndHopsFromTopByte() throws Exception {
        ByteBuffer wire = ByteBuffer.wrap(HEX.parseHex("7372" + "0100" + "00001000" + "ffeeddccbbaa99" + "c3" + "0102030405060708"));
        RequestHeader header = RequestHeader.decode(wire);
        assertThat(header.command()).isEqualTo(Command.GET_BLOCK.id());
        assertThat(header.size()).isEqualTo(0x0010_0000L);
        assertThat(header.offset()).isEqualTo(0x99aabbccddeeffL);
        assertThat(header.hops()).isEqualTo(0xc3);
        assertThat(header.handle()).isEqualTo(0x0807060504030201L);
        assertThat(wire.hasRemaining()).isFalse();
    }

    @Test
    void sizeIsUnsigned32Bit() throws Exception {
        ByteBuffer wire = RequestHeader.getBlock(0, 0xffff_ffffL, 0).encode();
        assertThat(RequestHeader.decode(wire).size()).isEqualTo(0xffff_ffffL);
    }

    @Test
    void bufferByteOrderIsIgnoredAndKept() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        RequestHeader.getBlock(4096, 512, 7).encode(buffer);
        assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(RequestHeader.decode(buffer.flip())).isEqualTo(RequestHeader.getBlock(4096, 512, 7));
    }

    @Test
    void badMagicIsRefusedWithTheValueInTheMessage() {
        ByteBuffer wire = ByteBuffer.wrap(HEX.parseHex("4745" + "00".repeat(22)));
        assertThatThrownBy(() -> RequestHeader.decode(wire))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("bad magic 0x4547");
    }

    @Test
    void truncatedHeaderIsRefused() {
        assertThatThrownBy(() -> RequestHeader.decode(ByteBuffer.allocate(23)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("23 of 24");
    }

    @Test
    void offsetsBeyond56BitsCannotBeBuilt() {
        assertThatThrownBy(() -> RequestHeader.getBlock(1L << 56, 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownCommandsSurviveDecoding() throws Exception {
        RequestHeader header = RequestHeader.decode(new RequestHeader(999, 0, 0, 0, 0).encode());
        assertThat(header.command()).isEqualTo(999);
        assertThat(header.knownCommand()).isEmpty();
    }

    @Property
    void roundTrips(@ForAll @IntRange(max = 0xffff) int command, @ForAll @LongRange(max = 0xffff_ffffL) long size,
                    @ForAll @LongRange(max = Dnbd3Protocol.MAX_OFFSET) long offset,
                    @ForAll @IntRange(max = 0xff) int hops, @ForAll long handle) throws Exception {
        RequestHeader header = new RequestHeader(command, size, offset, hops, handle);
        assertThat(RequestHeader.decode(header.encode())).isEqualTo(header);
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
