package org.openslx.netboot.stage3.network;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.openslx.netboot.stage3.cmdline.Autoconf;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;
import org.openslx.netboot.stage3.cmdline.InterfaceRename;
import org.openslx.netboot.stage3.cmdline.IpAddress;
import org.openslx.netboot.stage3.cmdline.IpParameter;
import org.openslx.netboot.stage3.cmdline.MacAddress;

/**
 * Decides the boot network from the command line:
 * <ul>
 *   <li>the {@code ip=} used is the one with a static address (PXELINUX's IPAPPEND 1 often follows
 *       an {@code ip=dhcp} from the menu); if several have one, the last; with none, the last
 *       dynamic one; with no {@code ip=} at all, DHCP;</li>
 *   <li>the boot interface is the one with the BOOTIF MAC (else the MAC field of {@code ip=}); it is
 *       renamed to the {@code ifname=} name for that MAC, else to {@value BootNetwork#DEFAULT_BOOT_INTERFACE};</li>
 *   <li>DNS servers: those of {@code ip=}, then {@code nameserver=}, without repeats.</li>
 * </ul>
 */
public final class BootNetworkResolver {
    private BootNetworkResolver() {
    }

    public static BootNetwork resolve(BootCommandLine cmdline) {
        List<String> warnings = new ArrayList<>(cmdline.warnings());
        List<IpParameter.Static> statics = cmdline.ipParameters().stream()
                .filter(IpParameter.Static.class::isInstance).map(IpParameter.Static.class::cast).toList();
        Optional<IpParameter> chosen;
        if (!statics.isEmpty()) {
            chosen = Optional.of(statics.getLast());
            if (statics.size() > 1) {
                warnings.add("several ip= parameters with a static address; using the last one, ip="
                        + statics.getLast().source());
            }
        } else {
            chosen = cmdline.ipParameters().isEmpty() ? Optional.empty() : Optional.of(cmdline.ipParameters().getLast());
        }
        for (IpParameter other : cmdline.ipParameters()) {
            if (chosen.isPresent() && other != chosen.get()) {
                warnings.add("ip=" + other.source() + " is ignored in favour of ip=" + chosen.get().source());
            }
        }

        Addressing addressing = new Addressing.Dynamic(Autoconf.DHCP);
        List<IpAddress> dns = new ArrayList<>();
        Optional<IpAddress> server = Optional.empty();
        Optional<String> hostname = Optional.empty();
        Optional<String> namedInterface = Optional.empty();
        OptionalInt mtu = OptionalInt.empty();
        Optional<MacAddress> ipMac = Optional.empty();
        if (chosen.isPresent()) {
            switch (chosen.get()) {
                case IpParameter.Static s -> {
                    addressing = new Addressing.Static(s.client(), s.prefixLength(), s.gateway());
                    dns.addAll(s.dns());
                    server = s.server();
                    hostname = s.hostname();
                    namedInterface = s.interfaceName();
                    mtu = s.mtu();
                    ipMac = s.mac();
                }
                case IpParameter.Dynamic d -> {
                    addressing = new Addressing.Dynamic(d.mode());
                    namedInterface = d.interfaceName();
                    mtu = d.mtu();
                    ipMac = d.mac();
                }
            }
        }
        dns.addAll(cmdline.nameservers());
        dns = List.copyOf(new LinkedHashSet<>(dns));

        Optional<MacAddress> macFromIp = ipMac;
        Optional<MacAddress> mac = cmdline.bootIf().or(() -> macFromIp);
        if (cmdline.bootIf().isPresent() && ipMac.isPresent() && !ipMac.equals(cmdline.bootIf())) {
            warnings.add("BOOTIF " + cmdline.bootIf().get() + " and the MAC in ip= (" + ipMac.get()
                    + ") differ; the boot interface is BOOTIF's");
        }

        List<InterfaceRename> renames = new ArrayList<>(cmdline.renames());
        Optional<String> interfaceName;
        if (mac.isPresent()) {
            Optional<InterfaceRename> given = renames.stream().filter(r -> r.mac().equals(mac.get())).findFirst();
            if (given.isPresent()) {
                interfaceName = Optional.of(given.get().name());
            } else {
                interfaceName = Optional.of(BootNetwork.DEFAULT_BOOT_INTERFACE);
                renames.addFirst(new InterfaceRename(BootNetwork.DEFAULT_BOOT_INTERFACE, mac.get()));
            }
            if (namedInterface.isPresent() && !namedInterface.equals(interfaceName)) {
                warnings.add("ip= names interface " + namedInterface.get() + ", but the boot interface is found by its MAC "
                        + mac.get() + " and named " + interfaceName.get());
            }
        } else {
            interfaceName = namedInterface;
            if (interfaceName.isEmpty()) {
                warnings.add("no BOOTIF= on the command line: the boot interface cannot be pinned by its MAC, so every"
                        + " Ethernet interface (en*, eth*) is configured and stage4 may rename them");
            }
        }
        if (addressing instanceof Addressing.Static && mac.isEmpty() && namedInterface.isEmpty()) {
            warnings.add("a static address without BOOTIF= or an interface name goes to every Ethernet interface");
        }
        return new BootNetwork(mac, interfaceName, addressing, dns, server, hostname, mtu, renames, warnings);
    }
}
