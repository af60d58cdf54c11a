package org.openslx.netboot.stage3.cmdline;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a kernel command line into a {@link BootCommandLine}. Every malformed parameter we rely on
 * is an error naming it (all problems are listed at once); parameters we do not use are ignored.
 */
public final class BootCommandLineParser {
    private static final Pattern BASE_PATH = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@%/-]*");

    private BootCommandLineParser() {
    }

    public static BootCommandLine parse(String text) {
        KernelCommandLine cmdline = KernelCommandLine.parse(text);
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();

        List<ServerAddress> servers = List.of();
        Optional<String> slxsrv = cmdline.last("slxsrv");
        if (slxsrv.isPresent()) {
            try {
                servers = ServerAddress.parseList(slxsrv.get());
                if (servers.isEmpty()) {
                    problems.add("slxsrv= is empty");
                }
            } catch (IllegalArgumentException e) {
                problems.add("slxsrv=" + slxsrv.get() + ": " + e.getMessage());
            }
        }

        Optional<String> basePath = Optional.empty();
        Optional<String> slxbase = cmdline.last("slxbase");
        if (slxbase.isPresent()) {
            String path = trimSlashes(slxbase.get());
            if (!BASE_PATH.matcher(path).matches()) {
                problems.add("slxbase=" + slxbase.get() + ": contains characters that cannot be part of a URL path");
            } else if (List.of(path.split("/")).contains("..")) {
                problems.add("slxbase=" + slxbase.get() + ": must not contain '..'");
            } else {
                basePath = Optional.of(path);
            }
        }

        List<IpParameter> ips = new ArrayList<>();
        for (String value : cmdline.values("ip")) {
            try {
                ips.add(IpParameterParser.parse(value, warnings::add));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (cmdline.has("ip") && cmdline.values("ip").isEmpty()) {
            problems.add("ip is given without a value");
        }

        Optional<MacAddress> bootIf = Optional.empty();
        Optional<String> bootIfText = cmdline.last("BOOTIF");
        if (bootIfText.isPresent()) {
            try {
                bootIf = Optional.of(MacAddress.parseBootIf(bootIfText.get()));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }

        List<InterfaceRename> renames = new ArrayList<>();
        for (String value : cmdline.values("ifname")) {
            int colon = value.indexOf(':');
            if (colon <= 0) {
                problems.add("ifname=" + value + ": expected <name>:<mac>");
                continue;
            }
            String name = value.substring(0, colon);
            if (!name.matches("[A-Za-z0-9_.-]{1,15}")) {
                problems.add("ifname=" + value + ": '" + name + "' is not a valid interface name (at most 15 letters, digits, '_', '.', '-')");
                continue;
            }
            try {
                renames.add(new InterfaceRename(name, MacAddress.parse(value.substring(colon + 1))));
            } catch (IllegalArgumentException e) {
                problems.add("ifname=" + value + ": " + e.getMessage());
            }
            if (name.matches("eth\\d+")) {
                warnings.add("ifname=" + value + ": kernel-style names like " + name
                        + " can clash with the kernel's own names; dracut recommends another name");
            }
        }

        List<IpAddress> nameservers = new ArrayList<>();
        for (String value : cmdline.values("nameserver")) {
            try {
                nameservers.add(IpAddress.parse(value));
            } catch (IllegalArgumentException e) {
                problems.add("nameserver=" + value + ": " + e.getMessage());
            }
        }

        DebugSwitches debug = parseDebug(cmdline, problems);

        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("kernel command line: " + String.join("; ", problems));
        }
        return new BootCommandLine(cmdline.text(), servers, basePath, ips, bootIf, renames, nameservers, debug,
                warnings);
    }

    private static DebugSwitches parseDebug(KernelCommandLine cmdline, List<String> problems) {
        boolean verbose = false;
        if (cmdline.has("slx.debug")) {
            String value = cmdline.last("slx.debug").orElse("1").toLowerCase(Locale.ROOT);
            switch (value) {
                case "1", "yes", "on", "true" -> verbose = true;
                case "0", "no", "off", "false" -> verbose = false;
                default -> problems.add("slx.debug=" + value + ": expected 1 or 0");
            }
        }
        Set<String> breaks = new LinkedHashSet<>();
        for (String value : cmdline.values("slx.break")) {
            for (String phase : value.split(",")) {
                if (DebugSwitches.PHASES.contains(phase)) {
                    breaks.add(phase);
                } else {
                    problems.add("slx.break=" + value + ": '" + phase + "' is not a phase (network, config, storage, stage4, pivot)");
                }
            }
        }
        boolean forceRam = false;
        Optional<String> cow = cmdline.last("slx.cow");
        if (cow.isPresent()) {
            if (cow.get().equals("ram")) {
                forceRam = true;
            } else if (!cow.get().equals("auto")) {
                problems.add("slx.cow=" + cow.get() + ": expected ram or auto");
            }
        }
        return new DebugSwitches(verbose, breaks, forceRam);
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
