#!/bin/sh
# The Debian (systemd) test stage4's check, run by slx-stage4-check.service once the system is
# up: proves the root works after switch_root under a full systemd; with "stop" (the unit's stop
# at shutdown) writes once more; with "finish" (slx-stage4-finish.service) powers off or reboots
# through systemd (slx.test.finish=reboot on the kernel command line asks for a reboot).
# Every line it prints starts with "SLX-STAGE4:" so the host can assert on it.
say() { echo "SLX-STAGE4: $*"; }
uptime() { cut -d' ' -f1 /proc/uptime; }

if [ "${1:-}" = finish ]; then
    # slx-stage4-finish.service, after this check has finished starting: a poweroff queued while
    # the check is still starting would cancel its start, and with it the shutdown write below.
    finish=poweroff
    grep -q 'slx.test.finish=reboot' /proc/cmdline && finish=reboot
    say "calling systemctl $finish at uptime $(uptime)"
    exec systemctl --no-block "$finish"
fi

if [ "${1:-}" = stop ]; then
    # The unit's stop, during the shutdown: a write that must reach the root through the daemon.
    echo "stopped at uptime $(uptime)" > /var/slx-shutdown-write && sync && say "shutdown write synced at uptime $(uptime)"
    exit 0
fi

say "init started at uptime $(uptime) under $(cat /proc/1/comm) ($(systemctl is-system-running))"
say "root $(awk '$2 == "/" { print $1, $3, $4 }' /proc/mounts | tail -n 1)"

# A write must land in the copy-on-write layer and read back after the page cache is dropped.
token="written-in-stage4-$(cat /proc/sys/kernel/random/uuid)"
echo "$token" > /stage4-write.txt && sync && echo 3 > /proc/sys/vm/drop_caches
if [ "$(cat /stage4-write.txt)" = "$token" ]; then say "write readback ok"; else say "write readback FAILED"; fi
if [ -e /var/slx-previous-boot ]; then say "previous boot left $(cat /var/slx-previous-boot)"; else say "no previous boot"; fi
echo "$token" > /var/slx-previous-boot && sync && say "wrote token $token"

# Uncached data that only the image has: read through the whole storage stack after switch_root.
say "sha256 $(sha256sum /data/random.bin | cut -d' ' -f1) at uptime $(uptime)"

# The boot interface must still carry its address after stage4's systemd-networkd took over.
say "networkd $(systemctl is-active systemd-networkd.service) addresses $(ip -4 -o addr show scope global | awk '{ print $2, $4 }' | tr '\n' ' ')"

# Where the writes went: loop devices backing the COW, and how much of their file is allocated.
for f in /sys/block/loop*/loop/backing_file; do
    [ -r "$f" ] || continue
    file=$(cat "$f")
    [ -e "$file" ] && kib=$(du -k "$file" | cut -f1) || kib=unknown
    say "cow ${file} allocated-kib ${kib}"
done
[ -r /run/openslx/dmsetup.state ] && say "dmsetup.state $(tr '\n' ' ' < /run/openslx/dmsetup.state)"

# Root storage daemons (argv[0] starting with @) and which cgroup holds them.
for p in /proc/[0-9]*; do
    name=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | cut -c1-60)
    case "$name" in
    @*)
        say "daemon ${name% } pid ${p#/proc/} rss-kib $(awk '/^VmRSS/ { print $2 }' "$p/status") cgroup $(cut -d: -f3 "$p/cgroup" | head -n 1)"
        ;;
    esac
done

failed=$(systemctl list-units --state=failed --no-legend --plain | awk '{ print $1 }' | tr '\n' ' ')
say "failed units: ${failed:-none}"

