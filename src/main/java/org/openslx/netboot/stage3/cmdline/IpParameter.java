package org.openslx.netboot.stage3.cmdline;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** One {@code ip=} parameter, in one of the forms dracut, the kernel, PXELINUX and iPXE write. */
public sealed interface IpParameter {
    /** The parameter's value as written, for messages. */
    String source();

    /** Where the form comes from, for the plan and the golden tests. */
    enum Form {
        /** {@code ip=dhcp} and friends. */
        KEYWORD,
        /** dracut's {@code ip=<interface>:<autoconf>[:mtu[:mac]]}. */
        INTERFACE_AUTOCONF,
        /** PXELINUX IPAPPEND 1 (and iPXE crafting the same): {@code client:server:gateway:netmask}. */
        PXELINUX,
        /** OpenSLX's iPXE menu: the PXELINUX form with a fifth field, the DNS server. */
        IPXE_WITH_DNS,
        /** dracut's/the kernel's full form {@code client:peer:gateway:netmask:hostname:interface:autoconf[:...]}. */
        FULL
    }

    Form form();

    /** Dynamic configuration (DHCP and the IPv6 variants), optionally for one named interface. */
    record Dynamic(String source, Form form, Autoconf mode, Optional<String> interfaceName,
                   OptionalInt mtu, Optional<MacAddress> mac) implements IpParameter {
    }

    /** A static address, as PXE passes on what its DHCP server said. */
    record Static(String source, Form form, IpAddress client, Optional<IpAddress> server,
                  Optional<IpAddress> gateway, int prefixLength, Optional<String> hostname,
                  Optional<String> interfaceName, List<IpAddress> dns, OptionalInt mtu,
                  Optional<MacAddress> mac) implements IpParameter {
        public Static {
            dns = List.copyOf(dns);
        }
    }
}
