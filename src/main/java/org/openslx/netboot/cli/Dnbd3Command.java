package org.openslx.netboot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code slx dnbd3 ...}: the dnbd3 server and tools. Each subcommand is its own class. */
@Command(name = "dnbd3",
        description = "dnbd3 network block device: serve images, compute CRC lists.",
        subcommands = {
                Dnbd3ServeCommand.class,
                Dnbd3CrcCommand.class,
                Dnbd3CatCommand.class,
        })
public final class Dnbd3Command implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
