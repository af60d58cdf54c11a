package org.openslx.netboot.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Combines the phase times of several boots: the median per phase, over the boots that reached it. */
final class BootBenchmark {
    private BootBenchmark() {
    }

    static Map<String, Double> medians(List<BootTranscript> boots) {
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (BootTranscript boot : boots) {
            boot.milestones().forEach((phase, t) -> times.computeIfAbsent(phase, k -> new ArrayList<>()).add(t));
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        times.forEach((phase, list) -> {
            List<Double> sorted = list.stream().sorted().toList();
            int n = sorted.size();
            medians.put(phase, n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
        });
        return medians;
    }

    /** Phase names of both, in boot order. */
    static Set<String> phaseNames(Map<String, Double> a, Map<String, Double> b) {
        Set<String> names = new LinkedHashSet<>();
        for (String phase : new BootTranscript(List.of()).milestoneNames()) {
            if (a.containsKey(phase) || b.containsKey(phase)) {
                names.add(phase);
            }
        }
        return names;
    }

    static String format(Double seconds) {
        return seconds == null ? "-" : "%.1f".formatted(seconds);
    }
}
