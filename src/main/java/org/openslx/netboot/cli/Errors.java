package org.openslx.netboot.cli;

import picocli.CommandLine;

/**
 * Turns exceptions escaping a command into one clear sentence on stderr (stack trace only with
 * {@code --debug}) and an exit code: 1 for failures, 2 for usage errors.
 */
final class Errors {
    static volatile boolean debug;

    private Errors() {
    }

    static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (debug) {
            e.printStackTrace();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": " + message);
        return e instanceof IllegalArgumentException ? 2 : 1;
    }
}
