#!/bin/sh
# cmdline hook: claim the boot when slxsrv= is on the kernel command line, keep the original
# line for slx, consume ip= and BOOTIF= (the PXELINUX form stops dracut's own ip= parser), start
# the root daemon at once (its JVM start and network set-up overlap udev's coldplug; waiting for
# the initqueue cost seconds) and queue the wait for /sysroot in the initqueue.
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

getarg slxsrv= > /dev/null || return 0

mkdir -p /run/slx
if [ ! -e /run/slx/cmdline ]; then
    cp /proc/cmdline /run/slx/cmdline
    # slx reads the original from /run/slx/cmdline; everyone after us sees a line without them.
    sed -e 's/\(^\|[[:space:]]\)\(ip\|BOOTIF\)=[^[:space:]]*//g' /proc/cmdline > /run/slx/cmdline.consumed
    mount --bind /run/slx/cmdline.consumed /proc/cmdline
fi

# The root comes from slx: /sysroot is mounted by its storage plan before the initqueue ends.
root=slx
rootok=1

# dracut-cmdline.service has KillMode=process, like dracut-initqueue.service: the daemon outlives it.
/usr/lib/slx/start-daemon
# Stay in the initqueue until slx has mounted /sysroot (or failed, which ends in the emergency
# shell). The daemon itself waits for systemd-networkd to report the network online.
/sbin/initqueue --finished --unique --name slx-root-ready /usr/lib/slx/root-ready
# slx.break= shells may stay open for long: the boot's timeout must not run out meanwhile.
getarg slx.break= > /dev/null && /sbin/initqueue --timeout --unique --name slx-break-wait /usr/lib/slx/break-wait
