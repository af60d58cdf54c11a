package org.openslx.netboot.stage3.network;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;

/**
 * The variables stage4 systems expect stage3 to derive from the command line, as bwLehrpool's
 * stage3 writes them into {@code /opt/openslx/config}. Lists are space-separated (stage4 scripts
 * iterate them unquoted); values that are unknown (the client address under DHCP) are empty.
 */
public final class PxeVariables {
    private PxeVariables() {
    }

    public static Map<String, String> of(BootCommandLine cmdline, BootNetwork network) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("SLX_KCL_SERVERS", cmdline.configServers().stream().map(Object::toString).collect(Collectors.joining(" ")));
        vars.put("SLX_BASE_PATH", cmdline.basePath().orElse(""));
        vars.put("SLX_PXE_CLIENT_IP", network.clientAddress().map(Object::toString).orElse(""));
        vars.put("SLX_PXE_SERVER_IP", network.bootServer().map(Object::toString).orElse(""));
        vars.put("SLX_PXE_GATEWAY", network.gateway().map(Object::toString).orElse(""));
        vars.put("SLX_PXE_DNS", network.dns().stream().map(Object::toString).collect(Collectors.joining(" ")));
        vars.put("SLX_PXE_MAC", network.mac().map(Object::toString).orElse(""));
        vars.put("SLX_PXE_NETIF", network.interfaceName().orElse(""));
        return vars;
    }
}
