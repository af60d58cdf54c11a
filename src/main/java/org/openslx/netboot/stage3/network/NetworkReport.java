package org.openslx.netboot.stage3.network;

import java.util.Map;
import java.util.stream.Collectors;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;
import org.openslx.netboot.stage3.cmdline.IpParameter;
import org.openslx.netboot.stage3.config.ShellQuoting;

/** What the command line means for the network, in words, followed by the files stage3 writes. */
public final class NetworkReport {
    private NetworkReport() {
    }

    public static String render(BootCommandLine cmdline, BootNetwork network) {
        StringBuilder out = new StringBuilder();
        out.append("config servers: ").append(cmdline.configServers().isEmpty() ? "(none: slxsrv= missing)"
                : cmdline.configServers().stream().map(Object::toString).collect(Collectors.joining(", "))).append('\n');
        out.append("config path:    ").append(cmdline.basePath().orElse("(none: slxbase= missing)")).append('\n');
        for (IpParameter ip : cmdline.ipParameters()) {
            out.append("ip= form:       ").append(ip.form().name().toLowerCase().replace('_', ' '))
                    .append(" (").append(ip.source()).append(")\n");
        }
        out.append("boot interface: ").append(network.mac().map(m -> "MAC " + m).orElse("MAC unknown"))
                .append(", named ").append(network.interfaceName().orElse("(every Ethernet interface)")).append('\n');
        out.append("addressing:     ").append(network.addressing()).append('\n');
        out.append("DNS:            ").append(network.dns().isEmpty() ? "(none)"
                : network.dns().stream().map(Object::toString).collect(Collectors.joining(" "))).append('\n');
        network.bootServer().ifPresent(s -> out.append("boot server:    ").append(s).append('\n'));
        network.hostname().ifPresent(h -> out.append("hostname:       ").append(h).append('\n'));
        network.mtu().ifPresent(m -> out.append("MTU:            ").append(m).append('\n'));
        if (cmdline.debug().any()) {
            out.append("debug:          ").append(cmdline.debug()).append('\n');
        }
        for (String warning : network.warnings()) {
            out.append("warning: ").append(warning).append('\n');
        }
        out.append("\n# variables for stage4 (/opt/openslx/config)\n");
        for (Map.Entry<String, String> e : PxeVariables.of(cmdline, network).entrySet()) {
            out.append(e.getKey()).append('=').append(ShellQuoting.singleQuote(e.getValue())).append('\n');
        }
        for (GeneratedFile file : NetworkdFiles.forInitramfs(network)) {
            out.append("\n# initramfs: /etc/systemd/network/").append(file.name()).append('\n').append(file.content());
        }
        for (GeneratedFile file : NetworkdFiles.forStage4(network)) {
            out.append("\n# stage4: /etc/systemd/network/").append(file.name()).append('\n').append(file.content());
        }
        GeneratedFile nm = NetworkdFiles.networkManagerUnmanaged(network);
        out.append("\n# stage4: /etc/NetworkManager/conf.d/").append(nm.name()).append('\n').append(nm.content());
        return out.toString();
    }
}
