package org.openslx.netboot.stage3.cmdline;

import java.util.Set;

/**
 * slx-netboot's own switches on the kernel command line:
 * <ul>
 *   <li>{@code slx.debug}: log every detail of stage3 (commands, their output, decisions);</li>
 *   <li>{@code slx.break=PHASE[,PHASE]}: the dracut module opens a shell before that phase
 *       ({@code network}, {@code config}, {@code storage}, {@code stage4}, {@code pivot});</li>
 *   <li>{@code slx.cow=ram}: ignore any ID44 partition and keep the copy-on-write layer in RAM.</li>
 * </ul>
 */
public record DebugSwitches(boolean verbose, Set<String> breakBefore, boolean forceRamCow) {
    public static final Set<String> PHASES = Set.of("network", "config", "storage", "stage4", "pivot");

    public DebugSwitches {
        breakBefore = Set.copyOf(breakBefore);
    }

    public boolean any() {
        return verbose || forceRamCow || !breakBefore.isEmpty();
    }

    @Override
    public String toString() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (verbose) {
            parts.add("verbose logs");
        }
        if (!breakBefore.isEmpty()) {
            parts.add("shell before " + String.join(", ", breakBefore.stream().sorted().toList()));
        }
        if (forceRamCow) {
            parts.add("copy-on-write forced into RAM");
        }
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    public static DebugSwitches none() {
        return new DebugSwitches(false, Set.of(), false);
    }
}
