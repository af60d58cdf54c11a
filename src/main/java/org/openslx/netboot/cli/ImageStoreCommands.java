package org.openslx.netboot.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.openslx.netboot.server.BootServer;
import org.openslx.netboot.server.DataFolder;
import org.openslx.netboot.server.ImageImport;
import org.openslx.netboot.server.StoreFiles;
import org.openslx.netboot.server.RemoteStatus;
import org.openslx.netboot.server.StoredImage;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slx image add} and {@code slx image list}: the image store of {@code slx server}.
 * Registered as subcommands of {@code slx image}.
 */
public final class ImageStoreCommands {
    private ImageStoreCommands() {
    }

    /** Where the store is: {@code --data DIR} (store = DIR/images) or {@code --store DIR}. */
    static final class StoreLocation {
        @Option(names = "--data", paramLabel = "DIR", required = true,
                description = "The slx server data folder; its store is DIR/images.")
        Path data;

        @Option(names = "--store", paramLabel = "DIR", required = true,
                description = "The image store folder itself (<name>.r<RID> files).")
        Path store;

        StoreFiles open() {
            return new StoreFiles(store != null ? store : new DataFolder(data).images());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Copy a qcow2 image into the store as a new revision, with its dnbd3 CRC list."
                    + " The copy becomes visible only when complete; existing revisions are never touched.")
    public static final class Add implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The qcow2 image to add.")
        Path file;

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "The image's name, as clients select it (SLX_DNBD3_IMAGE), e.g. stage4.qcow2.")
        String name;

        @Option(names = "--rid", paramLabel = "N",
                description = "The revision to create (1..65535); refused if it exists. Default: one above the highest.")
        int rid;

        @ArgGroup(multiplicity = "1")
        StoreLocation location;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (spec.commandLine().getParseResult().hasMatchedOption("--rid") && rid < 1) {
                throw new IllegalArgumentException("--rid " + rid + " is out of range: revisions are 1..65535");
            }
            StoreFiles store = location.open();
            StoredImage added;
            try (TerminalProgress progress = new TerminalProgress(file.getFileName().toString())) {
                added = ImageImport.add(store, file, name, rid, progress::update);
            }
            spec.commandLine().getOut().println("added " + added.name() + " revision " + added.rid() + " ("
                    + Sizes.human(added.size()) + ") as " + added.file());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "List the images in the store: names, revisions, sizes, and how many dnbd3 clients use"
                    + " each (asked from the running slx server).")
    public static final class ListImages implements Callable<Integer> {
        @ArgGroup(multiplicity = "1")
        StoreLocation location;

        @Option(names = "--server", paramLabel = "URL",
                description = "The running slx server to ask for client counts. Default: ${DEFAULT-VALUE}.")
        String server = "http://127.0.0.1:" + BootServer.DEFAULT_PORT;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            StoreFiles store = location.open();
            List<StoredImage> images = store.list();
            PrintWriter out = spec.commandLine().getOut();
            if (images.isEmpty()) {
                out.println("no images in " + store.root() + " (add one with: slx image add FILE --name NAME)");
                return 0;
            }
            RemoteStatus.ClientCounts counts = RemoteStatus.clientCounts(server, store.root());
            int width = Math.max(4, images.stream().mapToInt(i -> i.name().length()).max().orElse(4));
            String format = "%-" + width + "s  %5s  %10s  %-3s  %7s%n";
            out.printf(format, "NAME", "RID", "SIZE", "CRC", "CLIENTS");
            for (StoredImage image : images) {
                out.printf(format, image.name(), image.rid(), Sizes.human(image.size()),
                        image.hasCrcList() ? "yes" : "no", counts.of(image));
            }
            if (counts.note() != null) {
                spec.commandLine().getErr().println("client counts unknown: " + counts.note());
            }
            return 0;
        }
    }
}
