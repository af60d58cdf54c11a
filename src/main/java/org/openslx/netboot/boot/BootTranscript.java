package org.openslx.netboot.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a client's serial console says about its boot: whether stage4 ran and verified its data
 * (the {@code SLX-STAGE4:} lines of {@code stage4-init.sh}), whether any I/O error showed up, and
 * when each boot phase was reached (seconds since the kernel started, from the kernel's
 * timestamps or the uptime stage4 prints).
 */
public record BootTranscript(List<String> lines) {

    private static final Pattern KERNEL_TIME = Pattern.compile("^\\[\\s*(\\d+\\.\\d+)\\]");
    private static final Pattern UPTIME = Pattern.compile("uptime (\\d+\\.\\d+)");
    private static final Pattern SHA = Pattern.compile("SLX-STAGE4: sha256 ([0-9a-f]{64})");
    private static final Pattern COW = Pattern.compile("SLX-STAGE4: cow (\\S+) allocated-kib (\\d+)");
    private static final Pattern DAEMON = Pattern.compile("SLX-STAGE4: daemon (.*) pid \\d+ rss-kib (\\d+)");
    /** Kernel and filesystem messages that mean a read or write failed somewhere in the stack. */
    private static final Pattern IO_ERROR = Pattern.compile(
            "I/O error|blk_update_request|Buffer I/O|EXT4-fs error|EXT4-fs warning|Btrfs.*error"
                    + "|nbd\\d*: .*(timed out|Connection|Receive control failed|Send control failed)"
                    + "|Invalidating snapshot|snapshot.*invalid|Kernel panic|Attempted to kill init");

    /** Boot milestones in the order a boot passes them; the first line matching each counts. */
    private static final Map<String, Pattern> MILESTONES = milestonePatterns();

    private static Map<String, Pattern> milestonePatterns() {
        Map<String, Pattern> m = new LinkedHashMap<>();
        m.put("initramfs started", Pattern.compile("Run /init as init process|systemd.* running in system mode"));
        m.put("slx daemon up (JVM started)", Pattern.compile("slx: root daemon up"));
        m.put("network up", Pattern.compile("slx: network up|dhcp: BOUND"));
        m.put("root device attached", Pattern.compile("nbd0: detected capacity change|slx: root device "));
        m.put("root mounted", Pattern.compile("EXT4-fs \\((nbd0p1|dm-\\d+)\\): mounted filesystem|slx: root mounted"));
        m.put("switch_root", Pattern.compile("dracut: Switching root|Starting .*initrd-switch-root.service"));
        m.put("stage4 init", Pattern.compile("SLX-STAGE4: init started"));
        m.put("stage4 data verified", Pattern.compile("SLX-STAGE4: sha256 "));
        m.put("powered off", Pattern.compile("reboot: Power down"));
        return m;
    }

    public BootTranscript {
        lines = List.copyOf(lines);
    }

    public boolean reachedStage4() {
        return lines.stream().anyMatch(l -> l.contains("SLX-STAGE4: init started"));
    }

    /** The checksum stage4 computed over its data file, if it got that far. */
    public Optional<String> stage4Sha256() {
        return first(SHA).map(m -> m.group(1));
    }

    public boolean writeReadBackOk() {
        return lines.stream().anyMatch(l -> l.contains("SLX-STAGE4: write readback ok"));
    }

    /** The token an earlier boot wrote, if the COW kept it (persistent ID44 COW, same RID). */
    public Optional<String> previousBootToken() {
        return first(Pattern.compile("SLX-STAGE4: previous boot left (\\S+)")).map(m -> m.group(1));
    }

    /** What stage3 recorded about the COW store ({@code cow=ram|partition|file ...}), as stage4 saw it. */
    public Optional<String> cowState() {
        return first(Pattern.compile("SLX-STAGE4: dmsetup.state (.*)")).map(m -> m.group(1).strip());
    }

    public boolean sawNoPreviousBoot() {
        return lines.stream().anyMatch(l -> l.contains("SLX-STAGE4: no previous boot"));
    }

    public boolean poweredOff() {
        return lines.stream().anyMatch(l -> l.contains("reboot: Power down"));
    }

    /** Console lines reporting failed I/O, a kernel panic or an invalidated snapshot. */
    public List<String> ioErrors() {
        return lines.stream().filter(l -> IO_ERROR.matcher(l).find()).toList();
    }

    /** The file backing the COW store and how much of it stage4 saw allocated. */
    public Optional<Map.Entry<String, Long>> cowAllocatedKib() {
        return first(COW).map(m -> Map.entry(m.group(1), Long.parseLong(m.group(2))));
    }

    private static final Pattern SERVING = Pattern.compile("slx: serving \\S+: (\\d+) bytes fetched");

    /** Bytes the root daemon fetched over the network, from its last status line. */
    public OptionalLong bytesFetched() {
        long last = -1;
        for (String line : lines) {
            Matcher m = SERVING.matcher(line);
            if (m.find()) {
                last = Long.parseLong(m.group(1));
            }
        }
        return last < 0 ? OptionalLong.empty() : OptionalLong.of(last);
    }

    /** Resident memory of the root storage daemon as stage4 saw it. */
    public OptionalLong daemonRssKib() {
        return first(DAEMON).map(m -> OptionalLong.of(Long.parseLong(m.group(2)))).orElse(OptionalLong.empty());
    }

    public Optional<String> daemonName() {
        return first(DAEMON).map(m -> m.group(1).strip());
    }

    /** Seconds since kernel start at which each milestone was seen (missing ones are left out). */
    public Map<String, Double> milestones() {
        Map<String, Double> seen = new LinkedHashMap<>();
        for (var milestone : MILESTONES.entrySet()) {
            for (int i = 0; i < lines.size(); i++) {
                if (milestone.getValue().matcher(lines.get(i)).find()) {
                    // Lines without a time stamp (systemd's status, dhclient) take the next one's.
                    for (int j = i; j < lines.size(); j++) {
                        OptionalDouble t = timeOf(lines.get(j));
                        if (t.isPresent()) {
                            seen.put(milestone.getKey(), t.getAsDouble());
                            break;
                        }
                    }
                    break;
                }
            }
        }
        return seen;
    }

    /** All phase names, in boot order. */
    public List<String> milestoneNames() {
        return List.copyOf(MILESTONES.keySet());
    }

    /** The last {@code count} lines, one per line, for failure messages. */
    public String tail(int count) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    /** Lines that contain {@code text}, for assertions and summaries. */
    public List<String> linesContaining(String text) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.contains(text)) {
                out.add(l);
            }
        }
        return out;
    }

    private static OptionalDouble timeOf(String line) {
        Matcher k = KERNEL_TIME.matcher(line);
        if (k.find() && !k.group(1).startsWith("-")) {
            return OptionalDouble.of(Double.parseDouble(k.group(1)));
        }
        Matcher u = UPTIME.matcher(line);
        return u.find() ? OptionalDouble.of(Double.parseDouble(u.group(1))) : OptionalDouble.empty();
    }

    private Optional<Matcher> first(Pattern pattern) {
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
