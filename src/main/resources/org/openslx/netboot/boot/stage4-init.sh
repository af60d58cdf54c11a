#!/bin/busybox sh
# /sbin/init of the demo and test stage4 image: proves the root works after switch_root, then
# powers off. Every line it prints starts with "SLX-STAGE4:" so the host can assert on it.
bb=/bin/busybox
# The initramfs usually moved its /proc, /sys and /dev here; mount them only if it did not.
[ -e /proc/self ] || $bb mount -t proc proc /proc
[ -d /sys/kernel ] || $bb mount -t sysfs sysfs /sys
[ -e /dev/null ] || $bb mount -t devtmpfs devtmpfs /dev
$bb mkdir -p /run /tmp
export PATH=/bin:/sbin
$bb --install -s /bin 2>/dev/null
say() { echo "SLX-STAGE4: $*"; }

say "init started at uptime $(cut -d' ' -f1 /proc/uptime)"
say "root $(awk '$2 == "/" { print $1, $3, $4 }' /proc/mounts | tail -n 1)"

# A write must land in the copy-on-write layer and read back after the page cache is dropped.
token="written-in-stage4-$(cat /proc/sys/kernel/random/uuid)"
echo "$token" > /stage4-write.txt && sync && echo 3 > /proc/sys/vm/drop_caches
if [ "$(cat /stage4-write.txt)" = "$token" ]; then say "write readback ok"; else say "write readback FAILED"; fi

# What an earlier boot left behind: only a persistent COW (ID44, same image and RID) keeps it.
if [ -e /var/slx-previous-boot ]; then say "previous boot left $(cat /var/slx-previous-boot)"; else say "no previous boot"; fi
mkdir -p /var && echo "$token" > /var/slx-previous-boot && sync && say "wrote token $token"

# CPU time (clock ticks) of the root storage daemons, argv[0] starting with @: what serving the
# read below costs inside this machine (under emulation the daemon competes with sha256sum).
daemon_ticks() {
    ticks=0
    for p in /proc/[0-9]*; do
        case "$(tr '\0' ' ' < "$p/cmdline" 2> /dev/null)" in
            @*) set -- $(cut -d')' -f2 "$p/stat"); ticks=$((ticks + ${12} + ${13})) ;;
        esac
    done
    echo "$ticks"
}

# CPU ticks per thread of the root storage daemons ("pid/thread-name ticks" lines): which of the
# daemon's threads (receiving, serving, JIT compiler, GC) the read below keeps busy.
daemon_thread_ticks() {
    for p in /proc/[0-9]*; do
        case "$(tr '\0' ' ' < "$p/cmdline" 2> /dev/null)" in
            @*) for t in "$p"/task/[0-9]*; do
                    name=$(tr ' ' '_' < "$t/comm" 2> /dev/null)
                    set -- $(cut -d')' -f2 "$t/stat" 2> /dev/null)
                    [ -n "${13}" ] && echo "${p#/proc/}/${t##*/}/$name $((${12} + ${13}))"
                done ;;
        esac
    done
}

# Uncached data that only the image has: read through the whole storage stack after switch_root.
read_start=$(cut -d' ' -f1 /proc/uptime)
daemon_thread_ticks > /tmp/threads-before
daemon_before=$(daemon_ticks)
say "sha256 $(time -p -o /tmp/sha256.time sha256sum /data/random.bin | cut -d' ' -f1) at uptime $(cut -d' ' -f1 /proc/uptime)"
# sha256sum's own CPU time is a fixed amount of work: the daemon's CPU relative to it compares
# boots on a host whose load (and so the emulated CPU's speed) differs from run to run.
say "read cost: $(awk -v a="$read_start" -v b="$(cut -d' ' -f1 /proc/uptime)" -v d=$(( $(daemon_ticks) - daemon_before )) \
    -v s="$(awk '$1 == "user" || $1 == "sys" { t += $2 } END { print t + 0 }' /tmp/sha256.time 2> /dev/null)" \
    'BEGIN { printf "%.2f s wall, root daemons %.2f s CPU, sha256sum %.2f s CPU", b - a, d / 100, s }')"
daemon_thread_ticks > /tmp/threads-after
say "read cost per daemon thread (CPU s, busiest first): $(awk 'NR == FNR { before[$1] = $2; next }
    { d = $2 - before[$1]; if (d > 0) { split($1, id, "/"); print d, id[3] } }' /tmp/threads-before /tmp/threads-after \
    | sort -rn | head -n 8 | awk '{ printf "%s %.2f; ", $2, $1 / 100 }')"

# Where the writes went: loop devices backing the COW, and how much of their file is allocated.
for f in /sys/block/loop*/loop/backing_file; do
    [ -r "$f" ] || continue
    file=$(cat "$f")
    [ -e "$file" ] && kib=$(du -k "$file" | cut -f1) || kib=unknown
    say "cow ${file} allocated-kib ${kib}"
done

# Which copy-on-write store stage3 chose (written by its plan).
[ -r /run/openslx/dmsetup.state ] && say "dmsetup.state $(tr '\n' ' ' < /run/openslx/dmsetup.state)"

# The initramfs turns virtio-net's transmit NAPI off (a power-off lockup otherwise, see module-setup.sh).
[ -r /sys/module/virtio_net/parameters/napi_tx ] && say "virtio_net napi_tx $(cat /sys/module/virtio_net/parameters/napi_tx)"

# Root storage daemons (argv[0] starting with @): their resident memory, and their own status
# line (SIGUSR1 asks slx's daemon for it; stage4 cannot read the daemon's files).
for p in /proc/[0-9]*; do
    name=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | cut -c1-60)
    case "$name" in
    @*)
        say "daemon ${name% } pid ${p#/proc/} rss-kib $(awk '/^VmRSS/ { print $2 }' "$p/status")"
        kill -USR1 "${p#/proc/}" && sleep 1
        ;;
    esac
done

# sync may need the root daemon (dm-snapshot copies chunks from the origin before it writes).
say "syncing at uptime $(cut -d' ' -f1 /proc/uptime)"
sync
say "powering off at uptime $(cut -d' ' -f1 /proc/uptime)"
poweroff -f
