#!/bin/bash
# Run by the cmdline hook: start slx's root storage daemon, detached. It configures the network, fetches
# the SLX config, serves the image on /dev/nbd0, sets up the COW and mounts /sysroot, then keeps
# serving in stage4. argv[0] starts with '@' so systemd spares it at switch_root and shutdown
# (systemd's ROOT_STORAGE_DAEMONS.md); dracut-cmdline.service's KillMode=process keeps it alive
# when the service ends and when it is stopped at switch_root. Its output goes to the console, where a sysadmin watches the boot.
[ -e /run/slx/daemon.pid ] && exit 0
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh
cd /opt/slx || exit 1
# slx.jvm=OPTION[,OPTION...]: JVM options added for this boot, to diagnose or tune the daemon
# without rebuilding the initramfs (e.g. slx.jvm=-Xint, slx.jvm=-Xlog:gc,-Xmx64m). Options
# the AOT cache was not built with may make the JVM start without it (slower).
SLX_JVM_EXTRA=$(getarg slx.jvm= | tr ',' ' ')
export SLX_JVM_EXTRA
[ -n "$SLX_JVM_EXTRA" ] && echo "slx: daemon JVM options added by slx.jvm=: $SLX_JVM_EXTRA" > /dev/kmsg
# Few malloc arenas: the JVM has a dozen threads, each would get its own 64 MiB arena.
MALLOC_ARENA_MAX=2 setsid bash -c 'set -f; echo $$ > /run/slx/daemon.pid
    exec -a @slx-daemon /opt/slx/runtime/bin/java @/opt/slx/jvm.args $SLX_JVM_EXTRA -cp slx.jar \
        org.openslx.netboot.boot.DaemonMain --cmdline-file /run/slx/cmdline --state-dir /run/slx' \
    < /dev/null > /dev/console 2>&1 &
exit 0
