package org.openslx.netboot.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code slx server init}: lays out a {@link DataFolder}. Creates what is missing and never
 * overwrites a file, so running it again on a folder in use is harmless.
 */
public final class FolderInit {
    private FolderInit() {
    }

    /**
     * What init did: the entries it created and those it found already there, relative to the
     * folder, and the dnbd3 server address it wrote into the config.
     */
    public record Result(List<String> created, List<String> kept, String dnbd3Servers) {
    }

    /**
     * @param dnbd3Servers the value for SLX_DNBD3_SERVERS, or null to use this machine's address
     */
    public static Result run(Path root, String base, String dnbd3Servers) throws IOException {
        BaseName.check(base);
        DataFolder folder = new DataFolder(root);
        String servers = dnbd3Servers != null ? dnbd3Servers : guessOwnAddress();
        List<String> created = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        Path baseDir = folder.base(base);
        for (Path dir : List.of(folder.root(), folder.images(), baseDir, baseDir.resolve(DataFolder.PER_MACHINE_CONFIGS))) {
            (Files.isDirectory(dir) ? kept : created).add(name(folder, dir) + "/");
            Files.createDirectories(dir);
        }
        writeNew(folder, folder.root().resolve("README"), template("README.template", base, servers, folder), created, kept);
        writeNew(folder, baseDir.resolve(DataFolder.CONFIG), template("config.template", base, servers, folder), created, kept);
        writeNew(folder, baseDir.resolve(DataFolder.CMDLINE), template("cmdline.template", base, servers, folder), created, kept);
        return new Result(created, kept, servers);
    }

    private static void writeNew(DataFolder folder, Path file, String content, List<String> created, List<String> kept)
            throws IOException {
        if (Files.exists(file)) {
            kept.add(name(folder, file));
            return;
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
        created.add(name(folder, file));
    }

    private static String name(DataFolder folder, Path path) {
        String relative = folder.root().relativize(path).toString();
        return relative.isEmpty() ? "." : relative;
    }

    private static String template(String resource, String base, String servers, DataFolder folder) throws IOException {
        try (InputStream in = FolderInit.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("@BASE@", base)
                    .replace("@SERVERS@", servers)
                    .replace("@ROOT@", folder.root().toString());
        }
    }

    /** The first IPv4 address of an interface that is up and not loopback; 127.0.0.1 if none. */
    static String guessOwnAddress() {
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nif.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // Fall through to loopback; the caller prints the address so the admin can correct it.
        }
        return "127.0.0.1";
    }
}
