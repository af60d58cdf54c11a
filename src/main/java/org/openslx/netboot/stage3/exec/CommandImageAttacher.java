package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openslx.netboot.stage3.cmdline.ServerAddress;
import org.openslx.netboot.stage3.plan.Step;

/**
 * Attaches the image by running a command: {@code <command...> --server S [--server S2...]
 * --image NAME --rid N --device /dev/nbd0}. The command must return once the device serves the
 * image, leaving the daemon running.
 */
public final class CommandImageAttacher implements ImageAttacher {
    private final List<String> command;
    private final CommandRunner runner;

    public CommandImageAttacher(List<String> command, CommandRunner runner) {
        this.command = List.copyOf(command);
        this.runner = runner;
    }

    @Override
    public void attach(Step.AttachImage image) throws IOException {
        List<String> argv = new ArrayList<>(command);
        for (ServerAddress server : image.servers()) {
            argv.add("--server");
            argv.add(server.toString());
        }
        argv.addAll(List.of("--image", image.image(), "--rid", String.valueOf(image.rid()),
                "--device", image.device().toString()));
        CommandResult result = runner.run(argv, Map.of(), Duration.ofMinutes(3));
        if (!result.succeeded()) {
            throw new IOException(String.join(" ", argv) + " exited with " + result.exitCode() + ": " + result.tail());
        }
    }
}
