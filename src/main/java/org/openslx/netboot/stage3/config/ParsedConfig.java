package org.openslx.netboot.stage3.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An SLX config read as data: its assignments in order, the resulting variables (a later
 * assignment replaces an earlier one, as in a shell), and the original text for the verbatim copy.
 */
public record ParsedConfig(String source, String text, List<ConfigAssignment> assignments, List<String> warnings) {
    public ParsedConfig {
        assignments = List.copyOf(assignments);
        warnings = List.copyOf(warnings);
    }

    /** Variable name → final value, in the order the names first appear. */
    public Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        for (ConfigAssignment a : assignments) {
            variables.put(a.name(), a.value());
        }
        return variables;
    }

    /** The assignment that decides the variable's value (the last one). */
    public Optional<ConfigAssignment> assignment(String name) {
        ConfigAssignment found = null;
        for (ConfigAssignment a : assignments) {
            if (a.name().equals(name)) {
                found = a;
            }
        }
        return Optional.ofNullable(found);
    }

    /** {@code "NAME (line 7)"} for messages, or just the name when it was not set. */
    public String where(String name) {
        return assignment(name).map(a -> name + " (" + source + " line " + a.line() + ")").orElse(name);
    }
}
