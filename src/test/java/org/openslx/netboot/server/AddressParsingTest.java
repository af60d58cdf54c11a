package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void baseNamesRefuseTraversal() {
        assertThat(BaseName.isValid("default")).isTrue();
        assertThat(BaseName.isValid("bwlp/ubuntu-24.04")).isTrue();
        for (String bad : new String[] {"", "..", "a/..", ".hidden", "a//b", "/a", "a/", "a b", "a\\b"}) {
            assertThat(BaseName.isValid(bad)).as(bad).isFalse();
        }
    }
}
