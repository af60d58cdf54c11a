package org.openslx.netboot.dnbd3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.dnbd3.protocol.ServerEntry;

class AltServersTest {

    @Test
    void iniFormatReadsSectionsPortsPurposesAndNamespaces() throws Exception {
        AltServersFile.Result result = AltServersFile.parse(List.of(
                "; comment",
                "[10.0.0.1]",
                "comment=Main server",
                "[10.0.0.2:5004]",
                "for=client",
                "[[fd00::3]:6000]",
                "for=replication",
                "[10.0.0.4]",
                "namespace=rz/",
                "namespace=lab/"), "alt-servers");
        assertThat(result.warnings()).isEmpty();
        assertThat(result.servers()).containsExactly(
                new AltServer(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 5003), "Main server", false, false, List.of()),
                new AltServer(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 5004), "", true, false, List.of()),
                new AltServer(new InetSocketAddress(InetAddress.getByName("fd00::3"), 6000), "", false, true, List.of()),
                new AltServer(new InetSocketAddress(InetAddress.getByName("10.0.0.4"), 5003), "", false, false, List.of("rz/", "lab/")));
    }

    @Test
    void legacyFormatReadsPrefixesAndComments() throws Exception {
        AltServersFile.Result result = AltServersFile.parse(List.of(
                "# legacy",
                "10.0.0.1 first server",
                "-10.0.0.2:5004 private one",
                "+ 10.0.0.3",
                "fd00::1"), "alt-servers");
        assertThat(result.warnings()).isEmpty();
        assertThat(result.servers()).extracting(s -> s.address().getPort(), AltServer::comment,
                        AltServer::replicationOnly, AltServer::clientOnly)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(5003, "first server", false, false),
                        org.assertj.core.groups.Tuple.tuple(5004, "private one", true, false),
                        org.assertj.core.groups.Tuple.tuple(5003, "", false, true),
                        org.assertj.core.groups.Tuple.tuple(5003, "", false, false));
    }

    @Test
    void brokenLinesAreSkippedWithWarningsNamingFileAndLine() {
        AltServersFile.Result ini = AltServersFile.parse(List.of(
                "[10.0.0.1:99999]", "comment=x", "[10.0.0.2]", "bogus", "for=everyone", "colour=blue", "[10.0.0.2]"), "f");
        assertThat(ini.servers()).hasSize(1);
        assertThat(ini.warnings()).anySatisfy(w -> assertThat(w).startsWith("f line 1:").contains("bad port"))
                .anySatisfy(w -> assertThat(w).startsWith("f line 4:"))
                .anySatisfy(w -> assertThat(w).startsWith("f line 5:").contains("for="))
                .anySatisfy(w -> assertThat(w).startsWith("f line 6:").contains("colour"))
                .anySatisfy(w -> assertThat(w).startsWith("f line 7:").contains("twice"));
        AltServersFile.Result legacy = AltServersFile.parse(List.of("10.0.0.1:x", "[fd00::1"), "g");
        assertThat(legacy.servers()).isEmpty();
        assertThat(legacy.warnings()).hasSize(2);
    }

    @Test
    void iniIsReadAsInihReadsItColonsInlineCommentsAndRepeatedSections() throws Exception {
        // src/server/ini.c ini_parse_file(): "name: value" as well as "name=value", ';' after
        // whitespace starts a comment. src/server/altservers.c addAltFromIni(): altservers_add() returns
        // the existing slot for a known address, so a repeated section adds its keys to the same server;
        // for= sets both flags (last one wins), "client" is matched with strncmp(value, "client", 6);
        // an empty namespace= is a prefix of every name.
        AltServersFile.Result result = AltServersFile.parse(List.of(
                "[10.0.0.1]",
                "comment: main ; the big one",
                "for=replication",
                "[10.0.0.2]",
                "namespace=rz/",
                "[10.0.0.1]",
                "for=clients",
                "namespace=",
                "namespace = lab/"), "alt-servers");
        assertThat(result.servers()).containsExactly(
                new AltServer(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 5003), "main", true, false,
                        List.of("", "lab/")),
                new AltServer(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 5003), "", false, false,
                        List.of("rz/")));
        assertThat(result.servers().getFirst().advertisedFor("anything")).isTrue();
    }

    @Test
    void aSectionWithoutKeysIsIgnoredAsTheReferenceIgnoresIt() throws Exception {
        // inih calls the handler (src/server/altservers.c addAltFromIni(), which adds the server) only
        // for name=value lines, so "[10.0.0.9]" alone adds nothing.
        AltServersFile.Result result = AltServersFile.parse(List.of(
                "[10.0.0.1]", "comment=x", "[10.0.0.9]"), "f");
        assertThat(result.servers()).extracting(s -> s.address().getAddress().getHostAddress()).containsExactly("10.0.0.1");
        assertThat(result.warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("f line 3:").contains("ignore"));
        // Only key-less sections: no server at all, neither as INI nor as legacy lines, and the
        // warnings say how to fix it.
        AltServersFile.Result none = AltServersFile.parse(List.of("[10.0.0.1]", "[10.0.0.2]"), "g");
        assertThat(none.servers()).isEmpty();
        assertThat(none.warnings()).anySatisfy(w -> assertThat(w).startsWith("g line 1:").contains("comment="));
    }

    @Test
    void aFileWithoutAnyIniServerIsReadAsLegacyIncludingBracketedIpv6WithPort() throws Exception {
        // src/server/altservers.c altservers_load(): INI first, the line format only if that added no
        // server. "[fd00::1]:5004 backup" would be a key-less INI section; as a legacy line it is
        // fd00::1 port 5004 (src/server/helper.c parse_address()).
        AltServersFile.Result result = AltServersFile.parse(List.of(
                "[fd00::1]:5004 backup", "-10.0.0.2 private"), "f");
        assertThat(result.warnings()).isEmpty();
        assertThat(result.servers()).containsExactly(
                new AltServer(new InetSocketAddress(InetAddress.getByName("fd00::1"), 5004), "backup", false, false, List.of()),
                new AltServer(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 5003), "private", false, true, List.of()));
        // But inih reads "-10.0.0.2:5005 private" as key "-10.0.0.2" of section [fd00::1], which makes
        // that section a server: the file is INI then, with fd00::1 on the default port, as in dnbd3-server.
        AltServersFile.Result quirk = AltServersFile.parse(List.of(
                "[fd00::1]:5004 backup", "-10.0.0.2:5005 private"), "f");
        assertThat(quirk.servers()).containsExactly(
                new AltServer(new InetSocketAddress(InetAddress.getByName("fd00::1"), 5003), "", false, false, List.of()));
        assertThat(quirk.warnings()).singleElement().satisfies(w -> assertThat(w).contains("unknown key '-10.0.0.2'"));
        // parse_address() accepts brackets only together with a port.
        AltServersFile.Result bracketsOnly = AltServersFile.parse(List.of("[10.0.0.3]"), "g");
        assertThat(bracketsOnly.servers()).isEmpty();
        assertThat(bracketsOnly.warnings()).anySatisfy(w -> assertThat(w).startsWith("g line 1:").contains("no port"));
    }

    @Test
    void anIndentedLineContinuesThePreviousKeyAsInih() throws Exception {
        // src/server/ini.h INI_ALLOW_MULTILINE 1: after a key, a line with leading whitespace is handed
        // to the handler again under that key.
        AltServersFile.Result result = AltServersFile.parse(List.of(
                "[10.0.0.1]", "namespace=rz/", "  lab/", "  for=client"), "f");
        assertThat(result.servers().getFirst().namespaces()).containsExactly("rz/", "lab/", "for=client");
        assertThat(result.servers().getFirst().clientOnly()).isFalse();
        assertThat(result.warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("f line 4:").contains("indent"));
    }

    @Test
    void clientsGetAdvertisedServersClosestFirstAtMostEight() throws Exception {
        List<AltServer> servers = new java.util.ArrayList<>();
        servers.add(server("192.168.5.1", false, List.of()));
        servers.add(server("10.1.2.3", false, List.of()));
        servers.add(server("10.1.9.9", false, List.of()));
        servers.add(server("10.1.2.4", true, List.of()));
        servers.add(server("fd00::1", false, List.of()));
        servers.add(server("10.1.2.5", false, List.of("other/")));
        AltServers alts = AltServers.of(servers);
        List<ServerEntry> entries = alts.forClient(InetAddress.getByName("10.1.2.200"), "rz/img");
        assertThat(entries).extracting(e -> e.address().getHostAddress())
                .containsExactly("10.1.2.3", "10.1.9.9", "192.168.5.1", "fd00:0:0:0:0:0:0:1");
        assertThat(alts.forClient(InetAddress.getByName("10.1.2.200"), "other/img")).hasSize(5);

        for (int i = 0; i < 20; i++) {
            servers.add(server("172.16.0." + i, false, List.of()));
        }
        assertThat(AltServers.of(servers).forClient(InetAddress.getByName("10.1.2.200"), "x")).hasSize(8);
    }

    @Test
    void closenessCountsLeadingNibbles() throws Exception {
        assertThat(AltServers.closeness(InetAddress.getByName("10.1.2.3"), InetAddress.getByName("10.1.2.3"))).isEqualTo(8);
        assertThat(AltServers.closeness(InetAddress.getByName("10.1.2.3"), InetAddress.getByName("10.1.2.19"))).isEqualTo(6);
        assertThat(AltServers.closeness(InetAddress.getByName("10.1.2.3"), InetAddress.getByName("::1"))).isEqualTo(-128);
    }

    private static AltServer server(String ip, boolean replicationOnly, List<String> namespaces) throws Exception {
        return new AltServer(new InetSocketAddress(InetAddress.getByName(ip), 5003), "", false, replicationOnly, namespaces);
    }
}
