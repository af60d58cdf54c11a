#!/bin/sh
# ExecStartPre of systemd-networkd (drop-in slx-networkd.conf): on an slx boot, hold networkd back
# until the root daemon has written the boot network's files, so networkd starts once with them and
# the boot interface comes up once (a restart after the fact costs seconds in a slow client). The
# daemon starts from the cmdline hook, so this wait overlaps udev's coldplug. Not an slx boot, the
# daemon failed or died, or a minute went by: networkd starts as usual, and networkd-released
# tells the daemon to restart networkd once its files are there.
[ -e /run/slx/cmdline ] || exit 0
waited=0
reason=
while [ ! -e /run/slx/network-files ] && [ -z "$reason" ]; do
    pid=
    [ -r /run/slx/daemon.pid ] && read -r pid < /run/slx/daemon.pid
    if [ -e /run/slx/failed ]; then
        reason="slx failed"
    elif [ -n "$pid" ] && ! kill -0 "$pid" 2> /dev/null; then
        reason="the slx daemon (pid $pid) is gone"
    elif [ "$waited" -ge 300 ]; then
        reason="no network files from slx after 60 s"
    else
        sleep 0.2
        waited=$((waited + 1))
    fi
done
[ -n "$reason" ] && echo "$reason" > /run/slx/networkd-released
exit 0
