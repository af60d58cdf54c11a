package org.openslx.netboot.stage3.cmdline;

/** dracut's {@code ifname=<name>:<mac>}: give the interface with this MAC this name. */
public record InterfaceRename(String name, MacAddress mac) {
}
