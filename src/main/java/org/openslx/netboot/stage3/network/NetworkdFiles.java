package org.openslx.netboot.stage3.network;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.openslx.netboot.stage3.cmdline.Autoconf;
import org.openslx.netboot.stage3.cmdline.InterfaceRename;

/**
 * systemd-networkd files for the boot network.
 * <ul>
 *   <li>{@code 10-slx-<name>.link} per renamed interface: matched by MAC, named stably, so the
 *       initramfs and stage4 agree on the boot interface's name whatever each calls it by default;</li>
 *   <li>{@code 10-slx-boot.network}: the static address, gateway and DNS from PXE, or DHCP when the
 *       command line has no static {@code ip=}. DHCP always sends the MAC as client identifier, so
 *       stage3 and stage4 ask for the same lease;</li>
 *   <li>the stage4 variant adds {@code KeepConfiguration=} (static, or yes for DHCP) so stage4's
 *       networkd never drops the address the root is reached through. It needs systemd 243 or newer.</li>
 * </ul>
 */
public final class NetworkdFiles {
    public static final String NETWORK_FILE = "10-slx-boot.network";

    private NetworkdFiles() {
    }

    /** Files for {@code /etc/systemd/network} in the initramfs. */
    public static List<GeneratedFile> forInitramfs(BootNetwork network) {
        return files(network, false);
    }

    /** Files for {@code /etc/systemd/network} in stage4. */
    public static List<GeneratedFile> forStage4(BootNetwork network) {
        return files(network, true);
    }

    /**
     * A NetworkManager drop-in for stage4 ({@code /etc/NetworkManager/conf.d}) that leaves the boot
     * interface to its current configuration: NetworkManager would otherwise take it down to apply
     * its own, cutting the root's connection.
     */
    public static GeneratedFile networkManagerUnmanaged(BootNetwork network) {
        // By name when stage3 named the interface: a stage4 bridge may carry the same MAC.
        String match = network.interfaceName().map(n -> "interface-name:" + n)
                .or(() -> network.mac().map(m -> "mac:" + m))
                .orElse("type:ethernet");
        return new GeneratedFile("10-slx-boot-interface.conf", """
                # Written by slx-netboot stage3: the root file system is reached through this interface.
                # NetworkManager must not reconfigure it.
                [keyfile]
                unmanaged-devices=%s
                """.formatted(match));
    }

    private static List<GeneratedFile> files(BootNetwork network, boolean stage4) {
        List<GeneratedFile> files = new ArrayList<>();
        for (InterfaceRename rename : network.renames()) {
            // In stage4 a bridge or VLAN may take over the interface's MAC; PermanentMACAddress= (systemd 245+)
            // keeps the rename on the physical interface. Older systemd ignores it and still has MACAddress=.
            String permanent = stage4 ? "PermanentMACAddress=" + rename.mac() + "\n" : "";
            files.add(new GeneratedFile("10-slx-" + rename.name() + ".link", """
                    # Written by slx-netboot stage3: a stable name for the interface with this MAC.
                    [Match]
                    MACAddress=%s
                    %s
                    [Link]
                    Name=%s
                    """.formatted(rename.mac(), permanent, rename.name())));
        }
        files.add(new GeneratedFile(NETWORK_FILE, networkFile(network, stage4)));
        return files;
    }

    private static String networkFile(BootNetwork network, boolean stage4) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by slx-netboot stage3: the interface that carries the root file system.\n");
        if (stage4) {
            out.append("# KeepConfiguration= keeps its address while networkd restarts; do not remove it.\n");
        }
        out.append("[Match]\n");
        if (network.mac().isPresent()) {
            out.append("MACAddress=").append(network.mac().get()).append('\n');
            if (stage4 && network.interfaceName().isPresent()) {
                // Both must match: a stage4 bridge or VLAN with the same MAC is not the boot interface.
                out.append("Name=").append(network.interfaceName().get()).append('\n');
            }
        } else if (network.interfaceName().isPresent()) {
            out.append("Name=").append(network.interfaceName().get()).append('\n');
        } else {
            out.append("Name=en* eth*\n");
        }
        if (network.mtu().isPresent()) {
            out.append("\n[Link]\nMTUBytes=").append(network.mtu().getAsInt()).append('\n');
        }
        out.append("\n[Network]\n");
        switch (network.addressing()) {
            case Addressing.Static s -> {
                out.append("Address=").append(s.address()).append('/').append(s.prefixLength()).append('\n');
                s.gateway().filter(g -> s.address().sameNetwork(g, s.prefixLength()))
                        .ifPresent(g -> out.append("Gateway=").append(g).append('\n'));
            }
            case Addressing.Dynamic d -> out.append("DHCP=").append(dhcpValue(d.mode())).append('\n');
        }
        if (!network.dns().isEmpty()) {
            out.append("DNS=").append(network.dns().stream().map(Object::toString).collect(Collectors.joining(" ")))
                    .append('\n');
        }
        if (network.addressing() instanceof Addressing.Dynamic d && d.mode() == Autoconf.LINK6) {
            out.append("LinkLocalAddressing=ipv6\n");
        }
        if (!stage4 && network.addressing() instanceof Addressing.Static s && s.address().isIpv4()) {
            // With its defaults networkd reports the link configured only after IPv6 link-local DAD
            // and a router advertisement: 5.5-6 s in the emulated test client, which the boot
            // waited for although the root is reached over IPv4. Stage4 keeps the defaults.
            out.append("LinkLocalAddressing=no\nIPv6AcceptRA=no\n");
        }
        if (stage4) {
            out.append("KeepConfiguration=")
                    .append(network.addressing() instanceof Addressing.Static ? "static" : "yes").append('\n');
        }
        if (network.addressing() instanceof Addressing.Static s && s.gateway().isPresent()
                && !s.address().sameNetwork(s.gateway().get(), s.prefixLength())) {
            // A gateway outside the client's network is reachable only when declared on-link.
            out.append("\n[Route]\nGateway=").append(s.gateway().get()).append("\nGatewayOnLink=yes\n");
        }
        if (network.addressing() instanceof Addressing.Dynamic d && (d.mode() == Autoconf.DHCP)) {
            out.append("\n[DHCPv4]\nClientIdentifier=mac\n");
        }
        return out.toString();
    }

    private static String dhcpValue(Autoconf mode) {
        return switch (mode) {
            case DHCP -> "yes";
            case DHCP6 -> "ipv6";
            case AUTO6, LINK6, NONE, IBFT -> "no";
        };
    }
}
