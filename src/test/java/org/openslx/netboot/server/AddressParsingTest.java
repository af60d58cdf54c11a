package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AddressParsingTest {
    @Test
    void serverAddressesAreHostsWithOptionalPorts() {
        assertThat(ServerAddress.parse("10.0.2.2:5003")).isEqualTo(new ServerAddress("10.0.2.2", 5003));
        assertThat(ServerAddress.parse("boot.example.org")).isEqualTo(new ServerAddress("boot.example.org", -1));
        assertThat(ServerAddress.parse("[fd00::1]:80").toString()).isEqualTo("[fd00::1]:80");
        assertThat(ServerAddress.parse("10.0.2.2").ipv4OrNull()).isEqualTo("10.0.2.2");
        assertThat(ServerAddress.parse("boot.example.org").ipv4OrNull()).isNull();
        assertThat(ServerAddress.parse("300.1.1.1").ipv4OrNull()).isNull();
    }

    @Test
    void serverAddressesRefuseAnythingThatCouldInjectIntoAScript() {
        for (String bad : new String[] {"", "a b", "host:0", "host:70000", "h\"ost", "host/path", "host;shell",
                "${ip}", "host\nshell", "[::1", "-host"}) {
            assertThat(ServerAddress.parseOrNull(bad)).as(bad).isNull();
        }
        assertThatThrownBy(() -> ServerAddress.parse("a b")).hasMessageContaining("'a b' is not a server address");
    }

    @Test
    void listenAddressesTakeTheUsualForms() {
        assertThat(ListenAddress.parse("127.0.0.1:6000")).isEqualTo(new InetSocketAddress("127.0.0.1", 6000));
        assertThat(ListenAddress.parse(":6000")).isEqualTo(new InetSocketAddress(6000));
        assertThat(ListenAddress.parse("6000")).isEqualTo(new InetSocketAddress(6000));
        assertThat(ListenAddress.parse("127.0.0.1")).isEqualTo(new InetSocketAddress("127.0.0.1", 5003));
        assertThat(ListenAddress.parse("[::1]:6000")).isEqualTo(new InetSocketAddress("::1", 6000));
        for (String bad : new String[] {"1.2.3.4:x", "1.2.3.4:70000", "::1:6000", "[::1]x"}) {
            assertThatThrownBy(() -> ListenAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--listen");
        }
    }

    @Test
    void baseAndImageNamesRefuseTraversal() {
        assertThat(BaseName.isValid("default")).isTrue();
        assertThat(BaseName.isValid("bwlp/ubuntu-24.04")).isTrue();
        for (String bad : new String[] {"", "..", "a/..", ".hidden", "a//b", "/a", "a/", "a b", "a\\b"}) {
            assertThat(BaseName.isValid(bad)).as(bad).isFalse();
        }
        assertThat(ImageName.isValid("rz/win10.qcow2")).isTrue();
        for (String bad : new String[] {"", "../x", "a/../x", ".x", "a/.x", "/x", "x/", "x\0", "a\\b", "a:b"}) {
            assertThat(ImageName.isValid(bad)).as(bad).isFalse();
        }
    }
}
