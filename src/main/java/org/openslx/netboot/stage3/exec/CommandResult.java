package org.openslx.netboot.stage3.exec;

import java.util.List;

/** How a command ended: exit code and what it printed. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The last lines of stderr (else stdout), for an error message. */
    public String tail() {
        String text = stderr.isBlank() ? stdout : stderr;
        List<String> lines = text.strip().lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
