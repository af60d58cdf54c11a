package org.openslx.netboot.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.net.ListenAddress.LeftOutHost;

class ListenAddressTest {
    @Test
    void serversListenOnAllAddressesWhenTheHostIsLeftOut() {
        assertThatThrownBy(() -> ListenAddress.parse("::1:5003", LeftOutHost.ALL_ADDRESSES))
                .hasMessageContaining("brackets");
        assertThat(ListenAddress.parse("[::1]:5003", LeftOutHost.ALL_ADDRESSES).getPort()).isEqualTo(5003);
        assertThat(ListenAddress.parse("5004", LeftOutHost.ALL_ADDRESSES).getAddress().isAnyLocalAddress()).isTrue();
        assertThat(ListenAddress.parse(":5005", LeftOutHost.ALL_ADDRESSES).getPort()).isEqualTo(5005);
        assertThat(ListenAddress.parse(":5005", LeftOutHost.ALL_ADDRESSES).getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void nbdListensOnLoopbackWhenTheHostIsLeftOut() {
        InetSocketAddress address = ListenAddress.parse(":10809", LeftOutHost.LOOPBACK);
        assertThat(address.getAddress().isLoopbackAddress()).isTrue();
        assertThat(address.getPort()).isEqualTo(10809);
        assertThat(ListenAddress.parse("*:10809", LeftOutHost.LOOPBACK).getAddress().isAnyLocalAddress()).isTrue();
        assertThat(ListenAddress.parse("127.0.0.1:0", LeftOutHost.LOOPBACK).getPort()).isZero();
    }

    @Test
    void badValuesAreOneSentenceStartingWithTheOption() {
        assertThatThrownBy(() -> ListenAddress.parse("localhost", LeftOutHost.LOOPBACK))
                .hasMessageStartingWith("--listen expects HOST:PORT");
        assertThatThrownBy(() -> ListenAddress.parse("127.0.0.1:70000", LeftOutHost.LOOPBACK))
                .hasMessageStartingWith("--listen").hasMessageContaining("bad port '70000'");
        assertThatThrownBy(() -> ListenAddress.parse("[::1:5003", LeftOutHost.LOOPBACK))
                .hasMessageStartingWith("--listen").hasMessageContaining("'[' without ']'");
        assertThatThrownBy(() -> ListenAddress.parse("no-such-host.invalid:5003", LeftOutHost.LOOPBACK))
                .hasMessageContaining("unknown host 'no-such-host.invalid'");
    }

    @Test
    void hostPortSplitsEveryWrittenForm() {
        assertThat(HostPort.parse("boot.example.org")).isEqualTo(new HostPort("boot.example.org", -1, false));
        assertThat(HostPort.parse(" 10.0.0.1:5003 ")).isEqualTo(new HostPort("10.0.0.1", 5003, false));
        assertThat(HostPort.parse("[fd00::1]:80")).isEqualTo(new HostPort("fd00::1", 80, false));
        assertThat(HostPort.parse("[fd00::1]")).isEqualTo(new HostPort("fd00::1", -1, false));
        assertThat(HostPort.parse("fd00::1")).isEqualTo(new HostPort("fd00::1", -1, true));
        assertThat(HostPort.parse(":0")).isEqualTo(new HostPort("", 0, false));
        assertThatThrownBy(() -> HostPort.parse("[fd00::1]x")).hasMessageContaining("junk after ']'");
        assertThatThrownBy(() -> HostPort.parse("h:port")).hasMessageContaining("bad port 'port'");
    }

    @Test
    void formattedAddressesReadBackAsTheyWere() {
        assertThat(HostPort.format(new InetSocketAddress("127.0.0.1", 5003))).isEqualTo("127.0.0.1:5003");
        assertThat(HostPort.format(new InetSocketAddress("::1", 80))).isEqualTo("[0:0:0:0:0:0:0:1]:80");
        assertThat(HostPort.parse(HostPort.format(new InetSocketAddress("::1", 80))))
                .isEqualTo(new HostPort("0:0:0:0:0:0:0:1", 80, false));
        assertThat(HostPort.format(InetSocketAddress.createUnresolved("boot.example.org", 8080)))
                .isEqualTo("boot.example.org:8080");
    }
}
