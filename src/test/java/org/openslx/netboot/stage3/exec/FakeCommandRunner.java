package org.openslx.netboot.stage3.exec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A FAKE command runner for executor tests: modprobe, mount, losetup and dmsetup cannot run on a
 * test machine without changing it (and device-mapper is not even available in the CI container),
 * so their calls are recorded and answered like the real tools answer. The real-tool path is
 * proven in the boot's VM test.
 */
final class FakeCommandRunner implements CommandRunner {
    final List<List<String>> calls = new ArrayList<>();
    final List<Map<String, String>> environments = new ArrayList<>();
    private Predicate<List<String>> failing = argv -> false;
    private String failure = "";

    /** Makes every call matching {@code which} exit with 1 and print {@code message} on stderr. */
    FakeCommandRunner failWhen(Predicate<List<String>> which, String message) {
        this.failing = which;
        this.failure = message;
        return this;
    }

    @Override
    public CommandResult run(List<String> argv, Map<String, String> environment, Duration timeout) {
        calls.add(List.copyOf(argv));
        environments.add(Map.copyOf(environment));
        if (failing.test(argv)) {
            return new CommandResult(argv, 1, "", failure + "\n");
        }
        if (argv.getFirst().equals("losetup")) {
            return new CommandResult(argv, 0, "/dev/loop7\n", "");
        }
        return new CommandResult(argv, 0, "", "");
    }

    List<String> programs() {
        return calls.stream().map(c -> String.join(" ", c)).toList();
    }
}
