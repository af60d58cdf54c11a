#!/usr/bin/env bash
# Memory of `slx nbd serve` while nbdcopy reads the whole image, one JVM configuration per line.
#
#   bench/nbd-serve-rss.sh [--runs N] [--image IMG] [--nmt] [OPTS ...]
#
# Each OPTS argument is one SLX_JAVA_OPTS value (default: "-Xmx32m", as bench/nbd-vs-qemu-nbd.sh);
# the launcher's defaults come first, so OPTS can override them. For each, it starts
# `./slx nbd serve IMG --unix SOCK`, copies the image to null: RUNS times (default 3), sampling
# VmRSS every 0.1 s, and prints: the largest VmRSS while copying, VmHWM, RSS after the copies,
# its anonymous and file-backed parts, the thread count, the seconds the first nbdcopy took (JIT
# warm-up included) and the server's CPU seconds per later copy (user + system). With --nmt it
# also prints the JVM's Native Memory Tracking summary after the copies (NMT itself costs a
# little memory, so compare NMT runs only with each other).
# IMG defaults to the zstd image of bench/nbd-vs-qemu-nbd.sh (BENCH_DIR, /var/tmp/slx-bench).
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
runs=3
image="${BENCH_DIR:-/var/tmp/slx-bench}/image-zstd.qcow2"
nmt=0
configs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --image) image="$2"; shift 2 ;;
    --nmt) nmt=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) configs+=("$1"); shift ;;
  esac
done
[ ${#configs[@]} -gt 0 ] || configs=("-Xmx32m")
[ -f "$image" ] || { echo "bench: no image at $image (bench/nbd-vs-qemu-nbd.sh builds it)" >&2; exit 1; }
for tool in nbdcopy nbdinfo; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
slx="$here/slx"
jcmd="${SLX_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/jcmd"
"$slx" --version >/dev/null   # builds the jar now, not inside a measurement
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

sock="$work/slx.sock"
uri="nbd+unix:///?socket=$sock"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
kib() { awk -v k="$1" '/^'"$1"':/ { printf "%.1f", $2 / 1024 }' "$2"; }
echo "image $image, $runs nbdcopy runs per configuration, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-70s %8s %8s %8s %8s %8s %7s %6s %6s\n' "SLX_JAVA_OPTS" "copyRSS" "HWM" "RSSafter" "anon" "file" "threads" "1st s" "CPU s"
for opts in "${configs[@]}"; do
  extra=""
  [ "$nmt" = 1 ] && extra="-XX:NativeMemoryTracking=summary"
  rm -f "$sock" "$work/stop"
  SLX_JAVA_OPTS="$opts $extra" "$slx" nbd serve "$image" --unix "$sock" 2>"$work/serve.log" &
  pid=$!
  for _ in $(seq 300); do nbdinfo --size "$uri" >/dev/null 2>&1 && break; sleep 0.05; done
  # The launcher execs java, so $pid is the JVM.
  ( max=0; while [ ! -e "$work/stop" ] && r=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null); do
      [ "$r" -gt "$max" ] && max=$r; sleep 0.1; done; echo "$max" > "$work/max" ) &
  sampler=$!
  t0=$(date +%s.%N); nbdcopy "$uri" null:; t1=$(date +%s.%N)
  c0=$(ticks "$pid")
  for _ in $(seq 2 "$runs"); do nbdcopy "$uri" null:; done
  c1=$(ticks "$pid")
  touch "$work/stop"; wait "$sampler"
  sleep 6   # one TrimNativeHeapInterval
  status="/proc/$pid/status"
  printf '%-70s %8.1f %8s %8s %8s %8s %7s %6.2f %6s\n' "$opts" "$(awk '{ print $1 / 1024 }' "$work/max")" \
    "$(kib VmHWM "$status")" "$(kib VmRSS "$status")" "$(kib RssAnon "$status")" "$(kib RssFile "$status")" \
    "$(awk '/^Threads:/ { print $2 }' "$status")" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    "$(awk -v a="$c0" -v b="$c1" -v n="$runs" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 1) printf "%.2f", (b - a) / hz / (n - 1); else print "-" }')"
  if [ "$nmt" = 1 ]; then
    "$jcmd" "$pid" VM.native_memory summary | grep -E "^-|^Total|peak" | sed 's/^/    /' || true
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
