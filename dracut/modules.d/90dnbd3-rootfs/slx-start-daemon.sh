#!/bin/bash
# Run by the cmdline hook: start slx's root storage daemon, detached. It configures the network, fetches
# the SLX config, serves the image on /dev/nbd0, sets up the COW and mounts /sysroot, then keeps
# serving in stage4. argv[0] starts with '@' so systemd spares it at switch_root and shutdown
# (systemd's ROOT_STORAGE_DAEMONS.md); dracut-cmdline.service's KillMode=process keeps it alive
# when the service ends and when it is stopped at switch_root. Its output goes to the console, where a sysadmin watches the boot.
[ -e /run/slx/daemon.pid ] && exit 0
cd /opt/slx || exit 1
# Few malloc arenas: the JVM has a dozen threads, each would get its own 64 MiB arena.
MALLOC_ARENA_MAX=2 setsid bash -c 'echo $$ > /run/slx/daemon.pid
    exec -a @slx-daemon /opt/slx/runtime/bin/java @/opt/slx/jvm.args -cp slx.jar \
        org.openslx.netboot.boot.DaemonMain --cmdline-file /run/slx/cmdline --state-dir /run/slx' \
    < /dev/null > /dev/console 2>&1 &
exit 0
