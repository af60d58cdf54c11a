package org.openslx.netboot.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.block.qcow2.Qcow2Options;
import org.openslx.netboot.util.ByteSizes;
import org.openslx.netboot.util.JsonWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slx image info} and {@code slx image cat}: look into a disk image, read it out. */
@Command(name = "image",
        description = "Inspect a disk image (qcow2 or raw) and read its contents.",
        subcommands = {ImageCommand.Info.class, ImageCommand.Cat.class,
                ImageStoreCommands.Add.class, ImageStoreCommands.ListImages.class})
public final class ImageCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Options every image subcommand shares. */
    static final class SourceOptions {
        @Parameters(index = "0", paramLabel = "SOURCE",
                description = "A disk image file: qcow2 (recognised by its magic) or raw.")
        String source;

        @Option(names = "--l2-cache-size", paramLabel = "SIZE", defaultValue = "4M",
                description = "Memory for cached qcow2 L2 tables (default: ${DEFAULT-VALUE}).")
        String l2CacheSize;

        Qcow2Options qcow2Options() {
            return Qcow2Options.DEFAULTS.withL2CacheBytes(ByteSizes.parse(l2CacheSize));
        }
    }

    @Command(name = "info", description = "Show format, sizes, qcow2 features and partitions.")
    static final class Info implements Callable<Integer> {
        @CommandLine.Mixin
        SourceOptions options = new SourceOptions();

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (BlockSource disk = Sources.openDisk(options.source, options.qcow2Options())) {
                var report = ImageReport.of(options.source, disk);
                System.out.print(json ? JsonWriter.pretty(report) + System.lineSeparator() : ImageReport.text(report));
                System.out.flush();
            }
            return 0;
        }
    }

    @Command(name = "cat", description = "Write the disk's raw bytes (or one partition's) to standard output.")
    static final class Cat implements Callable<Integer> {
        @CommandLine.Mixin
        SourceOptions options = new SourceOptions();

        @Option(names = "--partition", paramLabel = "NAME",
                description = "Only this partition: a GPT partition name, else a filesystem label.")
        String partition;

        @Option(names = "--progress", description = "Report progress on standard error.")
        boolean progress;

        @Override
        public Integer call() throws Exception {
            var console = System.console();
            if (console != null && console.isTerminal()) {
                throw new IllegalArgumentException("refusing to write disk contents to a terminal;"
                        + " redirect standard output to a file or pipe");
            }
            try (BlockSource source = Sources.open(options.source, partition, options.qcow2Options())) {
                LongConsumer report = progress ? new ProgressLine(source.size()) : written -> { };
                StandardOutput.RegularFile file = StandardOutput.regularFile();
                if (file != null) {
                    ReadAhead.copyToFile(source, file, ReadAhead.CHUNK_BYTES, ReadAhead.defaultParallelism(), report);
                } else {
                    ReadAhead.copy(source, StandardOutput.channel(), ReadAhead.CHUNK_BYTES,
                            ReadAhead.defaultParallelism(), report);
                }
            }
            return 0;
        }
    }

    /** "slx image cat: 42% (1.2 GiB of 2.9 GiB)" on stderr, at most once a second and at the end. */
    private static final class ProgressLine implements LongConsumer {
        private final long total;
        private long lastNanos = System.nanoTime();

        ProgressLine(long total) {
            this.total = total;
        }

        @Override
        public synchronized void accept(long written) {
            long now = System.nanoTime();
            if (written < total && now - lastNanos < 1_000_000_000L) {
                return;
            }
            lastNanos = now;
            System.err.printf(Locale.ROOT, "slx image cat: %d%% (%s of %s)%n",
                    total == 0 ? 100 : written * 100 / total, ByteSizes.format(written), ByteSizes.format(total));
        }
    }
}
