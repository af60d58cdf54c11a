package org.openslx.netboot.boot;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the running slx finds the files of its project checkout: the shaded jar (what the
 * initramfs carries) and the dracut module. slx runs from {@code <checkout>/target/slx.jar}
 * (./slx) or from {@code <checkout>/target/classes} (tests).
 */
public final class ProjectFiles {
    static final String MODULE_FOLDER = "dracut/modules.d/90dnbd3-rootfs";

    private ProjectFiles() {
    }

    /** The checkout's root folder. */
    public static Path root() throws IOException {
        Path codeSource;
        try {
            codeSource = Path.of(ProjectFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot tell where slx runs from", e);
        }
        for (Path p = codeSource; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(MODULE_FOLDER)) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IOException("slx runs from " + codeSource + ", which is not inside a slx-netboot "
                + "checkout; pass the jar and the dracut module folder explicitly");
    }

    public static Path moduleFolder() throws IOException {
        return root().resolve(MODULE_FOLDER);
    }

    /** The shaded jar, which must exist (./slx and `mvn package` build it). */
    public static Path jar() throws IOException {
        Path jar = root().resolve("target/slx.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: build it with `mvn -B -q -DskipTests package` "
                    + "(./slx does that on first use)");
        }
        return jar;
    }
}
