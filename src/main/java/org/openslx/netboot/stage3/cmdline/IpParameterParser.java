package org.openslx.netboot.stage3.cmdline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads the value of an {@code ip=} parameter. Fields are separated by ':' outside brackets, so
 * IPv6 addresses are written {@code [2001:db8::5]}. The forms, told apart by their fields:
 * <pre>
 * dhcp | on | any | dhcp6 | auto6 | either6 | link6 | off | none     keyword
 * eth0:dhcp[:mtu[:mac]]                                                interface + keyword (dracut)
 * client:server:gateway:netmask                                        PXELINUX IPAPPEND 1
 * client:server:gateway:netmask:dns                                    OpenSLX iPXE (fifth field an address)
 * client:peer:gateway:netmask:hostname:interface:autoconf[:mtu[:mac]]  dracut
 * client:peer:gateway:netmask:hostname:interface:autoconf[:dns1[:dns2]] dracut / the kernel
 * </pre>
 * The netmask may be dotted ({@code 255.255.255.0}) or a prefix length ({@code 24}); IPv6 needs a
 * prefix length. Empty fields are allowed where the value is optional (iPXE leaves them empty when
 * a variable is unset). Anything else is an error naming the field.
 */
public final class IpParameterParser {
    private static final Pattern HEX_PAIR = Pattern.compile("[0-9a-fA-F]{2}");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,4}");
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.:@+-]{1,15}");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final String[] FIELD_NAMES = {
            "client address", "server address", "gateway", "netmask", "hostname", "interface", "autoconf"};

    private IpParameterParser() {
    }

    /**
     * Parses one value; {@code warnings} receives notes about parts that are accepted but ignored.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public static IpParameter parse(String value, Consumer<String> warnings) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("ip= is empty");
        }
        List<String> fields = splitFields(value);
        if (fields.size() == 1) {
            Autoconf mode = Autoconf.of(value).orElseThrow(() -> new IllegalArgumentException(
                    "ip=" + value + ": not a known keyword (dhcp, on, any, dhcp6, auto6, either6, link6, off, none)"
                            + " nor an address form like client:server:gateway:netmask"));
            checkSupported(value, mode);
            if (mode == Autoconf.NONE) {
                throw new IllegalArgumentException("ip=" + value + ": turns networking off, but the root file system"
                        + " comes over the network");
            }
            return new IpParameter.Dynamic(value, IpParameter.Form.KEYWORD, mode, Optional.empty(),
                    OptionalInt.empty(), Optional.empty());
        }
        if (!fields.getFirst().isEmpty() && !IpAddress.isAddress(fields.getFirst())
                && Autoconf.of(fields.get(1)).isPresent()) {
            return parseInterfaceAutoconf(value, fields);
        }
        if (fields.size() < 4) {
            throw new IllegalArgumentException("ip=" + value + ": has " + fields.size()
                    + " fields; expected at least client:server:gateway:netmask");
        }
        return parseAddressForm(value, fields, warnings);
    }

    private static IpParameter parseInterfaceAutoconf(String value, List<String> fields) {
        String name = interfaceName(value, fields.getFirst());
        Autoconf mode = Autoconf.of(fields.get(1)).orElseThrow();
        Tail tail = parseMtuAndMac(value, fields.subList(2, fields.size()), 3);
        if (!tail.dns.isEmpty()) {
            throw new IllegalArgumentException("ip=" + value + ": the interface form takes only [:mtu[:mac]] after the keyword");
        }
        checkSupported(value, mode);
        return new IpParameter.Dynamic(value, IpParameter.Form.INTERFACE_AUTOCONF, mode, Optional.of(name),
                tail.mtu, tail.mac);
    }

    private static IpParameter parseAddressForm(String value, List<String> fields, Consumer<String> warnings) {
        Optional<String> hostname = Optional.empty();
        Optional<String> interfaceName = Optional.empty();
        Autoconf autoconf = Autoconf.NONE;
        List<IpAddress> dns = new ArrayList<>();
        OptionalInt mtu = OptionalInt.empty();
        Optional<MacAddress> mac = Optional.empty();
        IpParameter.Form form;

        if (fields.size() == 4) {
            form = IpParameter.Form.PXELINUX;
        } else if (fields.size() == 5 && (fields.get(4).isEmpty() || IpAddress.isAddress(fields.get(4)))) {
            // iPXE leaves the fifth field empty when its DNS variable is unset.
            form = IpParameter.Form.IPXE_WITH_DNS;
            if (!fields.get(4).isEmpty()) {
                dns.add(IpAddress.parse(fields.get(4)));
            }
        } else {
            form = IpParameter.Form.FULL;
            if (!fields.get(4).isEmpty()) {
                if (!HOST_NAME.matcher(fields.get(4)).matches()) {
                    throw fieldError(value, 5, fields.get(4), "is not a host name");
                }
                hostname = Optional.of(fields.get(4));
            }
            if (fields.size() > 5 && !fields.get(5).isEmpty()) {
                interfaceName = Optional.of(interfaceName(value, fields.get(5)));
            }
            if (fields.size() > 6 && !fields.get(6).isEmpty()) {
                String word = fields.get(6);
                autoconf = Autoconf.of(word).orElseThrow(() -> fieldError(value, 7, word,
                        "is not an autoconf keyword (none, off, dhcp, on, any, dhcp6, auto6, link6)"));
            }
            if (fields.size() > 7) {
                Tail tail = parseMtuAndMac(value, fields.subList(7, fields.size()), 8);
                mtu = tail.mtu;
                mac = tail.mac;
                dns.addAll(tail.dns);
                if (tail.dns.size() > 2) {
                    warnings.accept("ip=" + value + ": only two DNS servers are read here; the NTP server"
                            + " the kernel's form allows in field 10 is ignored");
                    dns = new ArrayList<>(dns.subList(0, 2));
                }
            }
        }

        if (autoconf.isDynamic()) {
            checkSupported(value, autoconf);
            if (!fields.getFirst().isEmpty()) {
                warnings.accept("ip=" + value + ": a client address together with '" + fields.get(6)
                        + "' makes no sense; using " + autoconf.name().toLowerCase() + " and ignoring the static fields");
            }
            return new IpParameter.Dynamic(value, form, autoconf, interfaceName, mtu, mac);
        }

        if (fields.getFirst().isEmpty()) {
            throw fieldError(value, 1, "", "is empty; a static configuration needs the client address");
        }
        IpAddress client = address(value, fields, 0).orElseThrow();
        Optional<IpAddress> server = address(value, fields, 1);
        Optional<IpAddress> gateway = address(value, fields, 2);
        int prefix = prefixLength(value, fields.get(3), client);
        for (Optional<IpAddress> other : List.of(server, gateway)) {
            if (other.isPresent() && other.get().isIpv4() != client.isIpv4()) {
                throw new IllegalArgumentException("ip=" + value + ": mixes IPv4 and IPv6 addresses");
            }
        }
        if (gateway.isPresent() && !client.sameNetwork(gateway.get(), prefix)) {
            warnings.accept("ip=" + value + ": the gateway " + gateway.get() + " is outside the client's network "
                    + client + "/" + prefix);
        }
        return new IpParameter.Static(value, form, client, server, gateway, prefix, hostname, interfaceName,
                dns, mtu, mac);
    }

    private static void checkSupported(String value, Autoconf mode) {
        if (mode == Autoconf.IBFT) {
            throw new IllegalArgumentException("ip=" + value + ": ibft (iSCSI boot firmware) is not supported by slx-netboot");
        }
    }

    private record Tail(OptionalInt mtu, Optional<MacAddress> mac, List<IpAddress> dns) {
    }

    /** After the autoconf keyword: {@code [mtu][:mac]} (the MAC spans six fields) or {@code dns1[:dns2...]}. */
    private static Tail parseMtuAndMac(String value, List<String> rest, int firstFieldNumber) {
        OptionalInt mtu = OptionalInt.empty();
        Optional<MacAddress> mac = Optional.empty();
        List<IpAddress> dns = new ArrayList<>();
        List<String> remaining = new ArrayList<>(rest);
        if (remaining.size() >= 6 && remaining.subList(remaining.size() - 6, remaining.size()).stream()
                .allMatch(f -> HEX_PAIR.matcher(f).matches())) {
            mac = Optional.of(MacAddress.parse(String.join(":", remaining.subList(remaining.size() - 6, remaining.size()))));
            remaining = remaining.subList(0, remaining.size() - 6);
            if (remaining.size() > 1) {
                throw new IllegalArgumentException("ip=" + value + ": expected only [mtu] before the MAC address");
            }
        }
        for (int i = 0; i < remaining.size(); i++) {
            String field = remaining.get(i);
            int number = firstFieldNumber + i;
            if (field.isEmpty()) {
                continue;
            }
            if (i == 0 && NUMBER.matcher(field).matches()) {
                int parsed = Integer.parseInt(field);
                if (parsed < 68 || parsed > 9216) {
                    throw tailError(value, number, field, "is not a usable MTU (68 to 9216)");
                }
                mtu = OptionalInt.of(parsed);
            } else if (IpAddress.isAddress(field) && mac.isEmpty() && mtu.isEmpty()) {
                dns.add(IpAddress.parse(field));
            } else {
                throw tailError(value, number, field, "is neither an MTU, a MAC address nor a DNS server address");
            }
        }
        return new Tail(mtu, mac, dns);
    }

    private static Optional<IpAddress> address(String value, List<String> fields, int index) {
        String field = fields.get(index);
        if (field.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(IpAddress.parse(field));
        } catch (IllegalArgumentException e) {
            throw fieldError(value, index + 1, field, "is not an IPv4 or IPv6 address");
        }
    }

    private static int prefixLength(String value, String mask, IpAddress client) {
        if (mask.isEmpty()) {
            throw fieldError(value, 4, mask, "is empty; a static configuration needs the netmask");
        }
        if (NUMBER.matcher(mask).matches()) {
            int prefix = Integer.parseInt(mask);
            if (prefix < 1 || prefix > client.bitLength()) {
                throw fieldError(value, 4, mask, "is not a prefix length between 1 and " + client.bitLength());
            }
            return prefix;
        }
        if (!client.isIpv4()) {
            throw fieldError(value, 4, mask, "must be a prefix length for an IPv6 address");
        }
        IpAddress parsed;
        try {
            parsed = IpAddress.parse(mask);
        } catch (IllegalArgumentException e) {
            throw fieldError(value, 4, mask, "is not a netmask like 255.255.255.0 or 24");
        }
        byte[] b = parsed.bytes();
        long bits = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
        int prefix = Long.numberOfLeadingZeros(~bits & 0xffffffffL) - 32;
        long expected = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        if (bits != expected || prefix == 0) {
            throw fieldError(value, 4, mask, "is not a contiguous netmask");
        }
        return prefix;
    }

    private static String interfaceName(String value, String name) {
        if (!INTERFACE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("ip=" + value + ": '" + name + "' is not an interface name");
        }
        return name;
    }

    private static IllegalArgumentException fieldError(String value, int number, String field, String problem) {
        String name = number <= FIELD_NAMES.length ? " (" + FIELD_NAMES[number - 1] + ")" : "";
        return new IllegalArgumentException("ip=" + value + ": field " + number + name + " '" + field + "' " + problem);
    }

    private static IllegalArgumentException tailError(String value, int number, String field, String problem) {
        return new IllegalArgumentException("ip=" + value + ": field " + number + " '" + field + "' " + problem);
    }

    /** Splits on ':' outside brackets. */
    static List<String> splitFields(String value) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("ip=" + value + ": ']' without '['");
                }
            }
            if (c == ':' && depth == 0) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("ip=" + value + ": '[' without ']'");
        }
        fields.add(field.toString());
        return fields;
    }
}
