package org.openslx.netboot.stage3.stage4;

import java.nio.file.Path;

/**
 * What stage4's systemd is told about the root daemon. The daemon itself was started in the
 * initramfs and marks itself as a root storage daemon (argv[0] starting with '@', systemd's
 * ROOT_STORAGE_DAEMONS convention), so neither the switch to stage4 nor systemd-shutdown's final
 * killing touches it; it belongs to no stage4 unit, so stopping a unit never kills it. This unit
 * only makes it visible: {@code systemctl status slx-root-daemon} explains what serves the root,
 * and stopping the unit does nothing to the daemon.
 */
public final class RootDaemonUnit {
    public static final String NAME = "slx-root-daemon.service";

    private RootDaemonUnit() {
    }

    public static String content(Path imageDevice, String image, int rid) {
        return """
                # Written by slx-netboot stage3.
                # The root file system is served by a daemon started in the initramfs ("@slx ..." in ps).
                # It is not part of this unit on purpose: systemd spares it at shutdown because its
                # argv[0] starts with '@', and it must outlive every unit. Do not kill it: the root
                # file system would stop answering.
                [Unit]
                Description=slx-netboot root storage daemon: image %s revision %s on %s (started in the initramfs)
                DefaultDependencies=no
                IgnoreOnIsolate=yes

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/true
                """.formatted(image, rid == 0 ? "newest" : String.valueOf(rid), imageDevice);
    }
}
