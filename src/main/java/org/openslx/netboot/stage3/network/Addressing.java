package org.openslx.netboot.stage3.network;

import java.util.Optional;
import org.openslx.netboot.stage3.cmdline.Autoconf;
import org.openslx.netboot.stage3.cmdline.IpAddress;

/** How the boot interface gets its address. */
public sealed interface Addressing {
    /** The address PXE's DHCP server gave, passed on the command line. */
    record Static(IpAddress address, int prefixLength, Optional<IpAddress> gateway) implements Addressing {
        @Override
        public String toString() {
            return address + "/" + prefixLength + gateway.map(g -> " via " + g).orElse("");
        }
    }

    /** Ask again: DHCP (or an IPv6 variant). */
    record Dynamic(Autoconf mode) implements Addressing {
        @Override
        public String toString() {
            return mode == Autoconf.DHCP ? "DHCP" : mode.name().toLowerCase();
        }
    }
}
