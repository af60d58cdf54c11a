package org.openslx.netboot.stage3.network;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.openslx.netboot.stage3.cmdline.InterfaceRename;
import org.openslx.netboot.stage3.cmdline.IpAddress;
import org.openslx.netboot.stage3.cmdline.MacAddress;

/**
 * The network that carries the root: which interface (by MAC when PXE told us, else by name or
 * every Ethernet interface), the stable name it gets, its addressing, DNS and the boot server.
 *
 * @param mac           the boot interface's MAC (BOOTIF, or the MAC field of ip=)
 * @param interfaceName the stable name the boot interface gets, or the name ip= gave when no MAC is known;
 *                      empty when neither is known
 * @param renames       every interface to rename ({@code ifname=} plus the boot interface)
 */
public record BootNetwork(
        Optional<MacAddress> mac,
        Optional<String> interfaceName,
        Addressing addressing,
        List<IpAddress> dns,
        Optional<IpAddress> bootServer,
        Optional<String> hostname,
        OptionalInt mtu,
        List<InterfaceRename> renames,
        List<String> warnings) {

    /** The name stage3 gives the interface PXE booted from, unless {@code ifname=} names it. */
    public static final String DEFAULT_BOOT_INTERFACE = "boot0";

    public BootNetwork {
        dns = List.copyOf(dns);
        renames = List.copyOf(renames);
        warnings = List.copyOf(warnings);
    }

    public Optional<IpAddress> clientAddress() {
        return addressing instanceof Addressing.Static s ? Optional.of(s.address()) : Optional.empty();
    }

    public Optional<IpAddress> gateway() {
        return addressing instanceof Addressing.Static s ? s.gateway() : Optional.empty();
    }
}
