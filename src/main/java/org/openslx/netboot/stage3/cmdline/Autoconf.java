package org.openslx.netboot.stage3.cmdline;

import java.util.Locale;
import java.util.Optional;

/** The autoconfiguration keywords of {@code ip=} that dracut and the kernel know. */
public enum Autoconf {
    /** DHCP for IPv4 ({@code dhcp}, {@code on}, {@code any}, {@code single-dhcp}). */
    DHCP,
    /** DHCPv6 ({@code dhcp6}). */
    DHCP6,
    /** IPv6 router advertisements ({@code auto6}, {@code either6}). */
    AUTO6,
    /** Link-local IPv6 only ({@code link6}). */
    LINK6,
    /** iSCSI boot firmware table ({@code ibft}): not supported by slx-netboot. */
    IBFT,
    /** No autoconfiguration: the static fields are used ({@code none}, {@code off}, {@code static}). */
    NONE;

    public static Optional<Autoconf> of(String word) {
        return Optional.ofNullable(switch (word.toLowerCase(Locale.ROOT)) {
            case "dhcp", "on", "any", "single-dhcp", "both" -> DHCP;
            case "dhcp6" -> DHCP6;
            case "auto6", "either6" -> AUTO6;
            case "link6" -> LINK6;
            case "ibft" -> IBFT;
            case "none", "off", "static" -> NONE;
            default -> null;
        });
    }

    public boolean isDynamic() {
        return this != NONE;
    }
}
