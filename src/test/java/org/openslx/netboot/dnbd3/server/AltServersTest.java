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
