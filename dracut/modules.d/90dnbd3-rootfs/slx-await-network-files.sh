#!/bin/sh
# ExecStartPre of systemd-networkd (drop-in slx-networkd.conf): on an slx boot, hold networkd back
# until the root daemon has written the boot network's files, so networkd starts once with them and
# the boot interface comes up once (a restart after the fact costs seconds in a slow client). The
# daemon starts from the cmdline hook, so this wait overlaps udev's coldplug. Not an slx boot, the
# daemon failed or died, or a minute went by: networkd starts as usual.
[ -e /run/slx/cmdline ] || exit 0
waited=0
while [ ! -e /run/slx/network-files ] && [ ! -e /run/slx/failed ] && [ "$waited" -lt 300 ]; do
    if [ -r /run/slx/daemon.pid ]; then
        read -r pid < /run/slx/daemon.pid
        kill -0 "$pid" 2> /dev/null || exit 0
    fi
    sleep 0.2
    waited=$((waited + 1))
done
exit 0
