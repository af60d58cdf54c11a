#!/usr/bin/env bash
# Memory of the root daemon's JVM, measured on the host with the initramfs payload it boots from.
#
#   bench/daemon-rss.sh PAYLOAD [JVM-OPTION ...]
#
# PAYLOAD is an initramfs build's payload folder (runtime/, slx.jar, slx.aot, jvm.args; the VM
# tests leave one in target/vm-rig/initramfs/payload). The payload's own java runs with
# jvm.args (the AOT cache included) plus the given options, walks the daemon's code paths as the
# cache's training run does (bench/DaemonFootprint.java), runs the daemon's post-mount full GC,
# and then this prints its RSS (anonymous and file-backed), the mappings that hold the most, the
# heap, and what stays alive after switch_root in the client: the payload files the process
# maps or holds open (whole files, since the initramfs is in RAM). With
# -XX:NativeMemoryTracking=summary it also prints the JVM's own accounting; -XX:AOTMode=off runs
# it without the AOT cache. The client in qemu is the real measurement (TmpfsCowBootTest prints
# the daemon's RSS); this is the quick one.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
payload="$(readlink -f "${1:?usage: $0 PAYLOAD [JVM-OPTION ...]}")"; shift
jdk="${SLX_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
for f in runtime/bin/java slx.jar jvm.args; do
  [ -e "$payload/$f" ] || { echo "bench: $payload/$f is missing: not an initramfs payload" >&2; exit 1; }
done
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

"$jdk/bin/javac" -d "$work/classes" -cp "$payload/slx.jar" "$here/bench/DaemonFootprint.java"
"$jdk/bin/jar" cf "$work/footprint.jar" -C "$work/classes" .
# The class path starts with slx.jar as in the client, so the AOT cache applies.
( cd "$payload" && MALLOC_ARENA_MAX=2 exec runtime/bin/java @jvm.args "$@" -cp "slx.jar:$work/footprint.jar" \
    DaemonFootprint 60 ) > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 1200); do grep -q "daemon-footprint: ready" "$work/log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }; sleep 0.1; done
sleep 6   # one TrimNativeHeapInterval
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); options: $*"
awk '/^(VmRSS|RssAnon|RssFile|Threads):/ { printf "%s %s %s  ", $1, $2, $3 } END { print "" }' "/proc/$pid/status"
echo "mappings holding 0.5 MiB or more (resident, of which anonymous):"
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "[anon]"; next }
     /^Rss:/ { rss[name] += $2 } /^Anonymous:/ { anon[name] += $2 }
     END { for (n in rss) if (rss[n] >= 512) printf "  %6.1f MiB (%5.1f anon)  %s\n", rss[n] / 1024, anon[n] / 1024, n }' \
  "/proc/$pid/smaps" | sort -rn
"$jdk/bin/jcmd" "$pid" GC.heap_info | sed -n 's/^ *\(DefNew\|Tenured\|def new generation\|tenured generation\) *total \([0-9]*K\), used \([0-9]*K\).*/  heap \1: committed \2, used \3/p'
if [[ " $* " == *NativeMemoryTracking* ]]; then
  "$jdk/bin/jcmd" "$pid" VM.native_memory summary | grep -E '^-|^Total' | sed 's/^/  /'
fi
echo "payload files the process keeps alive (maps or holds open):"
{ awk '{ print $6 }' "/proc/$pid/maps"; ls -l "/proc/$pid/fd" | awk '{ print $NF }'; } | grep "^$payload/" | sort -u |
  xargs stat -c '%s %n' | awk '{ total += $1; printf "  %6.1f MiB  %s\n", $1 / 1048576, $2 } END { printf "  %6.1f MiB  in all\n", total / 1048576 }'
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
