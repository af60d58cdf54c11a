package org.openslx.netboot.stage3.cmdline;

import java.util.List;
import java.util.Optional;

/**
 * What stage3 reads from the kernel command line: where the config lives ({@code slxsrv},
 * {@code slxbase}), what PXE said about the network ({@code ip=}, {@code BOOTIF=}), dracut's
 * {@code ifname=} and {@code nameserver=}, and slx-netboot's debug switches.
 */
public record BootCommandLine(
        String text,
        List<ServerAddress> configServers,
        Optional<String> basePath,
        List<IpParameter> ipParameters,
        Optional<MacAddress> bootIf,
        List<InterfaceRename> renames,
        List<IpAddress> nameservers,
        DebugSwitches debug,
        List<String> warnings) {

    public BootCommandLine {
        configServers = List.copyOf(configServers);
        ipParameters = List.copyOf(ipParameters);
        renames = List.copyOf(renames);
        nameservers = List.copyOf(nameservers);
        warnings = List.copyOf(warnings);
    }
}
