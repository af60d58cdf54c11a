package org.openslx.netboot.server;

import java.nio.file.Path;

/**
 * The one folder {@code slx server} serves from:
 * <pre>
 *   images/                       the dnbd3 image store: &lt;name&gt;.r&lt;RID&gt; files, .crc lists beside them
 *   boot/&lt;base&gt;/config           SLX config, served as /&lt;base&gt;/config
 *   boot/&lt;base&gt;/config.d/&lt;uuid&gt;   a machine's own config, replacing the above for ?uuid=&lt;uuid&gt;
 *   boot/&lt;base&gt;/config.tgz       optional, extracted over the stage4 root
 *   boot/&lt;base&gt;/kernel, initrd   what boot.ipxe loads
 *   boot/&lt;base&gt;/cmdline          extra kernel arguments for boot.ipxe (console=..., rd.retry=...)
 * </pre>
 * Nothing outside this folder is ever served.
 */
public record DataFolder(Path root) {
    public static final String DEFAULT_BASE = "default";
    public static final String CONFIG = "config";
    public static final String CONFIG_TGZ = "config.tgz";
    public static final String PER_MACHINE_CONFIGS = "config.d";
    public static final String KERNEL = "kernel";
    public static final String INITRD = "initrd";
    public static final String CMDLINE = "cmdline";

    public DataFolder {
        root = root.toAbsolutePath().normalize();
    }

    public Path images() {
        return root.resolve("images");
    }

    public Path boot() {
        return root.resolve("boot");
    }

    /** The folder of a base; the name must have passed {@link BaseName#check}. */
    public Path base(String base) {
        return boot().resolve(base);
    }

    /** A file of a base, as a path relative to {@link #root()}, for {@link ContainedFiles}. */
    public static String relative(String base, String file) {
        return "boot/" + base + "/" + file;
    }
}
