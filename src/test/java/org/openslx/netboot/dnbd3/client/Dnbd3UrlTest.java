package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Dnbd3UrlTest {

    @Test
    void oneServerWithoutPortUsesTheDefaultPortAndLatestRevision() {
        Dnbd3Url url = Dnbd3Url.parse("dnbd3://boot.example.org/rz/win10.qcow2");
        assertThat(url.servers()).containsExactly(new ServerAddress("boot.example.org", 5003));
        assertThat(url.imageName()).isEqualTo("rz/win10.qcow2");
        assertThat(url.rid()).isZero();
    }

    @Test
    void severalServersWithPortsIpv6InBracketsAndRid() {
        Dnbd3Url url = Dnbd3Url.parse("dnbd3://10.0.2.2:5003,10.0.2.2:5004,[fd00::1]:6000,[::1]/demo/root.qcow2?rid=7");
        assertThat(url.servers()).containsExactly(
                new ServerAddress("10.0.2.2", 5003),
                new ServerAddress("10.0.2.2", 5004),
                new ServerAddress("fd00::1", 6000),
                new ServerAddress("::1", 5003));
        assertThat(url.rid()).isEqualTo(7);
        assertThat(url.toString()).isEqualTo("dnbd3://10.0.2.2:5003,10.0.2.2:5004,[fd00::1]:6000,[::1]:5003/demo/root.qcow2?rid=7");
    }

    @Test
    void sameAddressOnTwoPortsIsTwoServersButExactDuplicatesCollapse() {
        Dnbd3Url url = Dnbd3Url.parse("dnbd3://a:1,a:2,a:1/x");
        assertThat(url.servers()).containsExactly(new ServerAddress("a", 1), new ServerAddress("a", 2));
    }

    @Test
    void percentEscapesInTheNameAreDecodedAndRidZeroMeansLatest() {
        Dnbd3Url url = Dnbd3Url.parse("dnbd3://a/my%20image%C3%A4.img?rid=0");
        assertThat(url.imageName()).isEqualTo("my imageä.img");
        assertThat(url.rid()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://a/x | must start with dnbd3://",
            "dnbd3://a | has no image name",
            "dnbd3:///x | names no server",
            "dnbd3://a,,b/x | empty server name",
            "dnbd3://a:0/x | port 0",
            "dnbd3://a:70000/x | port 70000 of server 'a:70000' is not in 1..65535",
            "dnbd3://a:x/x | bad port 'x'",
            "dnbd3://fd00::1/x | write it in brackets",
            "dnbd3://[fd00::1/x | lacks the closing ']'",
            "dnbd3://[fd00::1]5003/x | expected ':PORT'",
            "dnbd3://a/x?rid=70000 | rid '70000'",
            "dnbd3://a/x?rid=-1 | rid '-1'",
            "dnbd3://a/x?size=3 | unknown parameter 'size=3'",
            "dnbd3://a/../etc/passwd | must not have a part starting with '.'",
            "dnbd3://a/rz/.hidden | must not have a part starting with '.'",
            "dnbd3://a/rz/ | must not start or end with '/'",
            "dnbd3://a//abs | must not start or end with '/'",
            "dnbd3://a/x%2 | bad percent escape at '%2'",
            "dnbd3://a/x%zz | bad percent escape at '%zz'",
    })
    void malformedUrlsAreRefusedWithAMessageNamingThePart(String url, String expected) {
        assertThatThrownBy(() -> Dnbd3Url.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void aThousandByteNameIsRefused() {
        assertThatThrownBy(() -> Dnbd3Url.parse("dnbd3://a/" + "n".repeat(1000)))
                .hasMessageContaining("longer than 994 bytes");
    }

    @Test
    void schemeIsRecognisedCaseInsensitively() {
        assertThat(Dnbd3Url.isDnbd3Url("DNBD3://a/x")).isTrue();
        assertThat(Dnbd3Url.isDnbd3Url("/var/lib/x.qcow2")).isFalse();
        assertThat(Dnbd3Url.parse("DNBD3://a/x").servers()).isEqualTo(List.of(new ServerAddress("a", 5003)));
    }
}
