package org.openslx.netboot.stage3.config;

import java.util.List;

/** The config has lines that cannot be read as data; every problem names its line. */
public final class ConfigSyntaxException extends IllegalArgumentException {
    private final List<String> problems;

    public ConfigSyntaxException(String source, List<String> problems) {
        super("config " + source + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
