package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    // Background steps run commands from their own thread.
    final List<List<String>> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<Map<String, String>> environments = java.util.Collections.synchronizedList(new ArrayList<>());
    private Predicate<List<String>> failing = argv -> false;
    private String failure = "";
    private Path deviceMapperRoot;
    private int dmDevices;

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
        if (deviceMapperRoot != null && argv.size() > 2 && argv.get(0).equals("dmsetup") && argv.get(1).equals("create")) {
            createDmDevice(argv.get(2));
        }
        if (argv.getFirst().equals("losetup")) {
            return new CommandResult(argv, 0, "/dev/loop7\n", "");
        }
        return new CommandResult(argv, 0, "", "");
    }

    /**
     * Makes {@code dmsetup create NAME} leave what the kernel leaves: {@code sys/block/dm-N/dm/name}
     * and the devtmpfs node {@code dev/dm-N} under {@code root} (a file standing in for the node).
     */
    FakeCommandRunner withDeviceMapperIn(Path root) {
        this.deviceMapperRoot = root;
        return this;
    }

    private void createDmDevice(String name) {
        try {
            String kernelName = "dm-" + dmDevices++;
            Path sys = Files.createDirectories(deviceMapperRoot.resolve("sys/block").resolve(kernelName).resolve("dm"));
            Files.writeString(sys.resolve("name"), name + "\n");
            Files.createDirectories(deviceMapperRoot.resolve("dev"));
            Files.writeString(deviceMapperRoot.resolve("dev").resolve(kernelName), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> programs() {
        return calls.stream().map(c -> String.join(" ", c)).toList();
    }
}
