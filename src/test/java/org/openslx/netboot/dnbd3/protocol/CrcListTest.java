package org.openslx.netboot.dnbd3.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class CrcListTest {

    @Test
    void crcIsTheZlibCrc32() {
        assertThat(CrcList.crcOf(ByteBuffer.wrap("123456789".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(0xCBF43926);
    }

    @Test
    void encodedFormIsMasterOverTheLittleEndianListThenTheList() {
        CrcList list = new CrcList(new int[] {0x11223344, 0xdeadbeef});
        ByteBuffer encoded = list.encode().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(encoded.remaining()).isEqualTo(12);
        CRC32 crc = new CRC32();
        crc.update(encoded.duplicate().position(4));
        assertThat(encoded.getInt(0)).isEqualTo((int) crc.getValue());
        assertThat(encoded.getInt(4)).isEqualTo(0x11223344);
        assertThat(encoded.getInt(8)).isEqualTo(0xdeadbeef);
    }

    @Test
    void decodeChecksTheMaster() throws Exception {
        CrcList list = new CrcList(new int[] {1, 2, 3});
        assertThat(CrcList.decode(list.encode())).isEqualTo(list);
        ByteBuffer corrupt = list.encode();
        corrupt.put(8, (byte) 9);
        assertThatThrownBy(() -> CrcList.decode(corrupt))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("does not match");
    }

    @Test
    void badLengthsAreRefused() {
        assertThatThrownBy(() -> CrcList.decode(ByteBuffer.allocate(6))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> CrcList.decode(ByteBuffer.allocate(0))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void hashBlockCountAndVirtualSizeFollowTheReference() {
        assertThat(Dnbd3Protocol.hashBlockCount(512L << 20)).isEqualTo(32);
        assertThat(Dnbd3Protocol.hashBlockCount((16L << 20) + 1)).isEqualTo(2);
        assertThat(Dnbd3Protocol.hashBlockCount(0)).isZero();
        assertThat(Dnbd3Protocol.virtualSize(1)).isEqualTo(4096);
        assertThat(Dnbd3Protocol.virtualSize(4096)).isEqualTo(4096);
        assertThat(Dnbd3Protocol.virtualSize(0)).isZero();
    }

    @Test
    void latestRidReplyIsOneLittleEndianU16() throws Exception {
        ByteBuffer payload = new LatestRidReply(0x0102).encodePayload();
        assertThat(payload.get(0)).isEqualTo((byte) 2);
        assertThat(LatestRidReply.decodePayload(payload).rid()).isEqualTo(0x0102);
    }
}
