package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * An installed kernel that a client can boot: {@code /boot/vmlinuz-VERSION} with its modules
 * under {@code /lib/modules/VERSION}.
 */
public record Kernel(String version, Path image) {

    /** The kernel of this version, or an error saying it is not installed. */
    public static Kernel of(String version) throws IOException {
        Path image = Path.of("/boot/vmlinuz-" + version);
        if (!Files.isReadable(image) || !Files.isDirectory(Path.of("/lib/modules", version))) {
            throw new IOException("kernel " + version + " is not installed (no readable " + image
                    + " with /lib/modules/" + version + ")");
        }
        return new Kernel(version, image);
    }

    /**
     * The kernel clients boot by default: the newest Debian cloud kernel (small, boots in seconds
     * under emulation), else the newest kernel in /boot.
     */
    public static Kernel preferred() throws IOException {
        List<String> versions;
        try (var files = Files.list(Path.of("/boot"))) {
            versions = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("vmlinuz-"))
                    .map(n -> n.substring("vmlinuz-".length()))
                    .filter(v -> Files.isDirectory(Path.of("/lib/modules", v)))
                    .sorted(Comparator.comparing((String v) -> v.endsWith("-cloud-amd64"))
                            .thenComparing(Kernel::compareVersions))
                    .toList();
        }
        if (versions.isEmpty()) {
            throw new IOException("no kernel in /boot with modules in /lib/modules: install one, "
                    + "e.g. linux-image-cloud-amd64 (scripts/install-deps.sh does)");
        }
        return of(versions.getLast());
    }

    private static int compareVersions(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].matches("\\d+") && y[i].matches("\\d+")
                    ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]))
                    : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
