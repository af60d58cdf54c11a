package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads every class of our jar ahead of time. A root storage daemon outlives its files: at
 * switch_root the initramfs (runtime, jar) is deleted, and a class first needed later, say on
 * the first failover in stage4, could no longer be found. Classes that cannot load here (a
 * library's optional parts) are counted, not fatal.
 */
final class ClassPreloader {
    record Result(int loaded, int skipped) {
    }

    private ClassPreloader() {
    }

    /**
     * What the daemon can ever run: the boot, block layer, NBD export, dnbd3 client and
     * protocol, stage3 logic, shared helpers, the zstd decoder. Not the servers or other CLI
     * commands, which would only take memory.
     */
    private static final java.util.List<String> DAEMON_PACKAGES = java.util.List.of(
            "org/openslx/netboot/boot/", "org/openslx/netboot/block/", "org/openslx/netboot/nbd/",
            "org/openslx/netboot/dnbd3/client/", "org/openslx/netboot/dnbd3/protocol/",
            "org/openslx/netboot/stage3/", "org/openslx/netboot/util/", "org/openslx/netboot/cli/",
            "io/airlift/compress/");

    static Result preloadJar(Path jar) throws IOException {
        ClassLoader loader = ClassPreloader.class.getClassLoader();
        int loaded = 0;
        int skipped = 0;
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
                String name = entry.getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")
                        || DAEMON_PACKAGES.stream().noneMatch(name::startsWith)) {
                    continue;
                }
                try {
                    Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                    loaded++;
                } catch (LinkageError | ClassNotFoundException e) {
                    skipped++;
                }
            }
        }
        return new Result(loaded, skipped);
    }

    /** The jar this code runs from. */
    static Path ownJar() throws IOException {
        try {
            return Path.of(ClassPreloader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new IOException("cannot find the jar slx runs from", e);
        }
    }
}
