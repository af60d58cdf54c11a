#!/bin/sh
# initqueue/finished: true once systemd-networkd reports the boot interface online. dracut 059's
# systemd-networkd module never runs the online hooks, so this is the wait that keeps the
# initqueue from finishing (or timing out) before the network is up. slx waits for the marker.
[ -e /run/slx/network-online ] && exit 0
[ -e /run/slx/network-interface ] && iface="--interface=$(cat /run/slx/network-interface)"
for wait_online in /usr/lib/systemd/systemd-networkd-wait-online /lib/systemd/systemd-networkd-wait-online; do
    [ -x "$wait_online" ] && break
done
"$wait_online" -q --timeout=1 $iface 2> /dev/null || exit 1
: > /run/slx/network-online
