package org.openslx.netboot.stage3.config;

import java.util.Map;

/**
 * The config as stage4 sources it ({@code /opt/openslx/config}): every variable of the fetched
 * config with the value stage3 read, single-quoted so a shell reads exactly that value back, then
 * the variables stage3 derived from the command line. A derived variable replaces one of the same
 * name in the config (stage3 knows what the boot actually used).
 */
public final class StageFourConfig {
    private StageFourConfig() {
    }

    public static String render(ParsedConfig config, Map<String, String> derived) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by slx-netboot stage3 from ").append(config.source()).append('\n');
        out.append("# Values as stage3 read them; the original is kept beside this file as 'openslx'.\n");
        config.variables().forEach((name, value) -> {
            if (!derived.containsKey(name)) {
                out.append(name).append('=').append(ShellQuoting.singleQuote(value)).append('\n');
            }
        });
        out.append("# Derived by stage3 from the kernel command line\n");
        derived.forEach((name, value) -> out.append(name).append('=').append(ShellQuoting.singleQuote(value)).append('\n'));
        return out.toString();
    }
}
