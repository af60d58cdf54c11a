package org.openslx.netboot.server;

/**
 * The iPXE script of one base: fetch kernel and initrd from this server over HTTP and boot with
 * the kernel line PXELINUX {@code IPAPPEND 3} would give, built from iPXE's settings of the
 * network device it booted from ({@code netX}):
 * {@code slxsrv=<server> slxbase=<base> ip=<client>:<server>:<gateway>:<netmask> BOOTIF=01-<mac>}.
 */
final class IpxeScript {
    private IpxeScript() {
    }

    /**
     * @param server how clients reach this server (goes into URLs and slxsrv=)
     * @param base a valid base name
     * @param withInitrd whether the base has an initrd to load
     * @param extraArguments the admin's extra kernel arguments, may be empty
     */
    static String build(ServerAddress server, String base, boolean withInitrd, String extraArguments) {
        String url = "http://" + server + "/" + base;
        // PXELINUX writes the boot server's IP into ip=; when clients know us by a name, the DHCP
        // next-server is the best IP iPXE has.
        String serverIp = server.ipv4OrNull() != null ? server.ipv4OrNull() : "${next-server}";
        StringBuilder kernelLine = new StringBuilder("kernel ").append(url).append("/kernel");
        if (withInitrd) {
            // Named so that EFI kernels find it; BIOS kernels ignore the argument.
            kernelLine.append(" initrd=initrd");
        }
        kernelLine.append(" slxsrv=").append(server).append(" slxbase=").append(base)
                .append(" ip=${netX/ip}:").append(serverIp).append(":${netX/gateway}:${netX/netmask}")
                .append(" BOOTIF=01-${netX/mac:hexhyp}");
        if (!extraArguments.isEmpty()) {
            kernelLine.append(' ').append(extraArguments);
        }
        StringBuilder script = new StringBuilder();
        script.append("#!ipxe\n");
        script.append("# slx-netboot: boot base '").append(base).append("' from ").append(server).append('\n');
        script.append("echo slx-netboot: loading ").append(base).append(" from ").append(server).append('\n');
        script.append(kernelLine).append(" || goto failed\n");
        if (withInitrd) {
            script.append("initrd --name initrd ").append(url).append("/initrd || goto failed\n");
        }
        script.append("boot || goto failed\n");
        script.append(":failed\n");
        script.append("echo slx-netboot: booting ").append(base).append(" from ").append(server)
                .append(" failed; see the server's log\n");
        script.append("shell\n");
        return script.toString();
    }
}
