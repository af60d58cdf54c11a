package org.openslx.netboot.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads every class of our jar ahead of time. A root storage daemon outlives its files: at
 * switch_root the initramfs (runtime, jar) is deleted, and a class first needed later, say on
 * the first failover in stage4, could no longer be found. Classes that cannot load here (a
 * library's optional parts) are counted, not fatal.
 */
final class ClassPreloader {
    /** @param cacheHoldsTheRest only the classes the AOT cache lacks were loaded: it had the others */
    record Result(int loaded, int skipped, boolean cacheHoldsTheRest) {
    }

    private ClassPreloader() {
    }

    /**
     * What the daemon can ever run: the boot, block layer, NBD export, dnbd3 client and
     * protocol, stage3 logic, shared helpers, the zstd decoder. Not the servers or other CLI
     * commands, which would only take memory.
     */
    private static final List<String> DAEMON_PACKAGES = List.of(
            "org/openslx/netboot/boot/", "org/openslx/netboot/block/", "org/openslx/netboot/nbd/",
            "org/openslx/netboot/dnbd3/client/", "org/openslx/netboot/dnbd3/protocol/",
            "org/openslx/netboot/stage3/", "org/openslx/netboot/util/", "org/openslx/netboot/cli/",
            "io/airlift/compress/");

    static Result preloadJar(Path jar) throws IOException {
        return preload(daemonClassNames(jar), false);
    }

    /**
     * As {@link #preloadJar}, but where the JVM runs with the AOT cache {@code aotCache} (it maps
     * the file), only the classes in {@code notCached}: the JVM loaded every class the cache
     * holds at start-up (AOT class linking), and going through all of them again took 0.2 to
     * 0.35 s of CPU on the host, seconds in an emulated client, while udev's coldplug, which the
     * network waits for, needed the CPU. The list is written at build time; without it, or
     * without the cache, every daemon class of the jar is loaded as before.
     */
    static Result preloadWithCache(Path jar, Path aotCache, Path notCached) throws IOException {
        if (Files.isRegularFile(notCached) && mapsFile(aotCache)) {
            return preload(Files.readAllLines(notCached).stream().map(String::strip).filter(s -> !s.isEmpty()).toList(),
                    true);
        }
        return preloadJar(jar);
    }

    /** Whether this process maps {@code file} (the JVM maps the AOT cache only when it uses it). */
    static boolean mapsFile(Path file) {
        String path = file.toAbsolutePath().normalize().toString();
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(line -> line.endsWith(" " + path));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Result preload(List<String> classNames, boolean cacheHoldsTheRest) {
        ClassLoader loader = ClassPreloader.class.getClassLoader();
        int loaded = 0;
        int skipped = 0;
        for (String name : classNames) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (LinkageError | ClassNotFoundException e) {
                skipped++;
            }
        }
        return new Result(loaded, skipped, cacheHoldsTheRest);
    }

    /** The binary names of the jar's classes in the daemon's packages. */
    static List<String> daemonClassNames(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
                String name = entry.getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")
                        && DAEMON_PACKAGES.stream().anyMatch(name::startsWith)) {
                    names.add(name.substring(0, name.length() - 6).replace('/', '.'));
                }
            }
        }
        return names;
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
