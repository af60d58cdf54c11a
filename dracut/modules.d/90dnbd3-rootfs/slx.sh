#!/bin/sh
# slx in the initramfs: the jlink'd runtime running our jar with the JVM options the AOT cache
# was trained with (jvm.args). The class path is relative to /opt/slx because the AOT cache
# records it as given at build time, where the payload lived in another folder.
cd /opt/slx || exit 127
exec /opt/slx/runtime/bin/java @/opt/slx/jvm.args -cp slx.jar org.openslx.netboot.cli.Main "$@"
