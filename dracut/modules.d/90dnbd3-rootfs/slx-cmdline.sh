#!/bin/sh
# cmdline hook: claim the boot when slxsrv= is on the kernel command line, keep the original
# line for slx, consume ip= and BOOTIF= (the PXELINUX form stops dracut's own ip= parser), and
# queue the root daemon's start and the two waits in the initqueue.
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

/sbin/initqueue --onetime --unique --name slx-start-daemon /usr/lib/slx/start-daemon
# The seed's active wait: stay in the initqueue until systemd-networkd says we are online ...
/sbin/initqueue --finished --unique --name slx-network-online /usr/lib/slx/network-online
# ... and until slx has mounted /sysroot (or failed, which ends in the emergency shell).
/sbin/initqueue --finished --unique --name slx-root-ready /usr/lib/slx/root-ready
