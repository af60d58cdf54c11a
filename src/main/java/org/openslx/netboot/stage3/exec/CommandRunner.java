package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs a program (never through a shell) and reports how it ended. */
public interface CommandRunner {
    /**
     * @param environment added to the runner's environment
     * @throws IOException when the program cannot be started or does not end within {@code timeout}
     */
    CommandResult run(List<String> argv, Map<String, String> environment, Duration timeout) throws IOException;

    default CommandResult run(List<String> argv) throws IOException {
        return run(argv, Map.of(), Duration.ofMinutes(5));
    }
}
