package org.openslx.netboot.dnbd3.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerEntryTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void ipv4EntryHasAddressInFirstFourBytesAndBigEndianPort() throws Exception {
        ServerEntry entry = ServerEntry.of(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 5003));
        ByteBuffer buffer = ByteBuffer.allocate(20);
        entry.encode(buffer);
        assertThat(HEX.formatHex(buffer.array()))
                .isEqualTo("0a010203" + "00".repeat(12) + "138b" + "02" + "00");
    }

    @Test
    void ipv6EntryUsesAllSixteenBytesAndType10() throws Exception {
        ServerEntry entry = ServerEntry.of(new InetSocketAddress(InetAddress.getByName("fd00::1"), 5004));
        ByteBuffer buffer = ByteBuffer.allocate(20);
        entry.encode(buffer);
        assertThat(HEX.formatHex(buffer.array()))
                .isEqualTo("fd00" + "00".repeat(13) + "01" + "138c" + "0a" + "00");
    }

    @Test
    void listRoundTripsAndSkipsEmptySlots() throws Exception {
        List<ServerEntry> entries = List.of(
                ServerEntry.of(new InetSocketAddress(InetAddress.getByName("192.168.0.1"), 5003)),
                new ServerEntry(InetAddress.getByName("::1"), 1, 3));
        ByteBuffer payload = ServerEntry.encodeList(entries);
        ByteBuffer withEmpty = ByteBuffer.allocate(payload.remaining() + 20).put(payload).put(new byte[20]).flip();
        assertThat(ServerEntry.decodeList(withEmpty)).isEqualTo(entries);
    }

    @Test
    void payloadThatIsNotWholeEntriesIsRefused() {
        assertThatThrownBy(() -> ServerEntry.decodeList(ByteBuffer.allocate(21)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("21 bytes");
    }

    @Test
    void moreThanEightEntriesDoNotFitOneReply() throws Exception {
        ServerEntry entry = ServerEntry.of(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1));
        assertThatThrownBy(() -> ServerEntry.encodeList(java.util.Collections.nCopies(9, entry)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void observedReferenceListWithStackGarbageInTheUnusedIpv4BytesDecodesToTheAddresses() throws Exception {
        // GET_SERVERS payload recorded from the reference dnbd3-server (issue 3), alt-servers file
        // "127.0.0.1:5104", "127.0.0.3:5003", "-127.0.0.9", "+127.0.0.2:5105", client 127.0.0.1:
        // closest first, the private entry left out, and bytes 4..15 of each IPv4 address are
        // whatever was on the stack (parse_address() in src/server/helper.c copies only 4 bytes).
        ByteBuffer payload = ByteBuffer.wrap(HEX.parseHex(
                "7f000001fc7f00004c31e2bfa655000013f00200"
                + "7f000003fc7f00004c31e2bfa6550000138b0200"
                + "7f000002fc7f00004c31e2bfa655000013f10200"));
        assertThat(ServerEntry.decodeList(payload)).extracting(ServerEntry::socketAddress).containsExactly(
                new InetSocketAddress("127.0.0.1", 5104), new InetSocketAddress("127.0.0.3", 5003),
                new InetSocketAddress("127.0.0.2", 5105));
    }
}
