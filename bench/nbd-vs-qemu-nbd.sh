#!/usr/bin/env bash
# Block layer benchmark: slx against qemu on the same 1 GiB image, side by side in one run.
#
#   bench/nbd-vs-qemu-nbd.sh [--runs N] [--dir DIR] [--variants "raw qcow2 zlib zstd"] [--no-docs]
#
# For each image variant (raw; qcow2 uncompressed, zlib- and zstd-compressed, all made from the
# raw one with qemu-img convert) it measures
#   - nbdcopy from `./slx nbd serve` vs nbdcopy from `qemu-nbd -r`, both over unix sockets,
#     copying to null: so only the server and the socket are measured;
#   - `./slx image cat` vs `qemu-img convert -O raw`, both writing the same file in memory
#     (/dev/shm, or BENCH_OUT) so the disk does not set the pace;
#   - the CPU time each NBD server process spent per GiB copied (less sensitive than throughput
#     to other work on a shared machine);
#   - the memory of the `slx nbd serve` process (SLX_JAVA_OPTS, default -Xmx32m, on top of the
#     launcher's defaults): the largest RSS sampled while nbdcopy runs, and the peak (VmHWM).
# Each pair runs alternately RUNS times after one warm-up run each (page cache, JIT); the
# median counts. Results go to stdout and, with the command that produced them, into the
# "Block layer" section of docs/BENCHMARKS.md, up to its first subheading (notes written by
# hand below the table stay).
#
# The image content is the start of a tar of /usr/lib: real binaries and text, compressible
# like an OS image, with few zero runs. The raw file is fully allocated (not sparse); the qcow2
# variants hold a few zero clusters where qemu-img found zeros. Both servers answer block status
# (base:allocation), so nbdcopy skips the same holes on both sides; the allocation of each
# image is measured (qemu-img map) and written next to the results.
# slx variants it cannot serve yet (qcow2 before the decoder lands) are reported as skipped.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
runs=5
work="${BENCH_DIR:-/var/tmp/slx-bench}"
variants="raw qcow2 zlib zstd"
update_docs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --dir) work="$2"; shift 2 ;;
    --variants) variants="$2"; shift 2 ;;
    --no-docs) update_docs=0; shift ;;
    *) echo "usage: $0 [--runs N] [--dir DIR] [--variants \"raw qcow2 zlib zstd\"] [--no-docs]" >&2; exit 2 ;;
  esac
done
export SLX_JAVA_OPTS="${SLX_JAVA_OPTS:--Xmx32m}"
size=$((1024 * 1024 * 1024))
out="${BENCH_OUT:-/dev/shm/slx-bench-out.raw}"
slx="$here/slx"

for tool in nbdcopy nbdinfo qemu-nbd qemu-img tar; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
mkdir -p "$work"
"$slx" --version >/dev/null   # builds the jar now, not inside a measurement

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -f "$work"/*.sock "$out"
}
trap cleanup EXIT

log() { echo "bench: $*" >&2; }

# --- images ---------------------------------------------------------------------------------
image_for() {
  case "$1" in
    raw) echo "$work/image.raw" ;;
    qcow2) echo "$work/image.qcow2" ;;
    zlib) echo "$work/image-zlib.qcow2" ;;
    zstd) echo "$work/image-zstd.qcow2" ;;
  esac
}
format_for() { [ "$1" = raw ] && echo raw || echo qcow2; }

if [ ! -f "$work/image.raw" ] || [ "$(stat -c %s "$work/image.raw")" != "$size" ]; then
  log "building the 1 GiB raw image from a tar of /usr/lib ..."
  { tar --sort=name -cf - -C / usr/lib 2>/dev/null || true; } | head -c "$size" > "$work/image.raw.tmp"
  truncate -s "$size" "$work/image.raw.tmp"
  mv "$work/image.raw.tmp" "$work/image.raw"
fi
for v in $variants; do
  img="$(image_for "$v")"
  [ -f "$img" ] && continue
  # Built under a temporary name so an interrupted run leaves no half image behind.
  case "$v" in
    raw) ;;
    qcow2) log "building $img"; qemu-img convert -f raw -O qcow2 "$work/image.raw" "$img.tmp" && mv "$img.tmp" "$img" ;;
    zlib|zstd) log "building $img"
      qemu-img convert -f raw -O qcow2 -c -o compression_type="$v" "$work/image.raw" "$img.tmp" && mv "$img.tmp" "$img" ;;
  esac
done

# --- helpers --------------------------------------------------------------------------------
now() { date +%s.%N; }
seconds_of() { local t0; t0=$(now); "$@" >/dev/null 2>&1 || return 1; awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mbps() { awk -v s="$size" -v t="$1" 'BEGIN { if (t == "nan" || t <= 0) print "n/a"; else printf "%.0f", s / t / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || a <= 0) print "n/a"; else printf "%.2fx", b / a }'; }
# Ready means answering NBD, not just a socket file (it appears a moment before listen()).
wait_for_socket() { for _ in $(seq 300); do nbdinfo --size "$(uri "$1")" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
uri() { echo "nbd+unix:///?socket=$1"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Largest VmRSS of process $1 (KiB) sampled every 0.1 s until the file $2 appears.
sample_rss() { local max=0 r; while [ ! -e "$2" ] && r=$(awk '/VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null); do
  [ "$r" -gt "$max" ] && max=$r; sleep 0.1; done; echo "$max"; }
cpu_per_run() { awk -v a="$1" -v b="$2" -v n="$runs" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz / n }'; }

# Bytes qemu-img map reports as holes (data: false) in an image: what block status can skip.
holes_of() { qemu-img map --output=json -f "$(format_for "$1")" "$(image_for "$1")" |
  awk -F'[:,]' '/"data": false/ { for (i = 1; i < NF; i++) if ($i ~ /"length"/) s += $(i + 1) } END { printf "%.1f", s / 1048576 }'; }
allocation=""
for v in $variants; do allocation+="${allocation:+, }$v $(holes_of "$v") MiB"; done
log "holes per image (qemu-img map): $allocation"

load="$(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for v in $variants; do
  img="$(image_for "$v")"
  fmt="$(format_for "$v")"
  slx_sock="$work/slx.sock"; qemu_sock="$work/qemu.sock"
  rm -f "$slx_sock" "$qemu_sock"

  "$slx" nbd serve "$img" --unix "$slx_sock" 2>"$work/slx-serve.log" &
  slx_pid=$!; pids+=("$slx_pid")
  # --shared lets nbdcopy open its usual 4 connections (multi-conn) to qemu-nbd too.
  qemu-nbd -r -t --shared=8 -f "$fmt" -k "$qemu_sock" "$img" &
  qemu_pid=$!; pids+=("$qemu_pid")
  wait_for_socket "$slx_sock" || { cat "$work/slx-serve.log" >&2; exit 1; }
  wait_for_socket "$qemu_sock" || exit 1

  nbd_slx="skipped"; nbd_qemu=""; rss="n/a"; peak="n/a"; cpu_slx=""; cpu_qemu=""
  slx_size="$(nbdinfo --size "$(uri "$slx_sock")")"
  if [ "$slx_size" != "$size" ]; then
    log "$v: slx exports $slx_size bytes, not the image's $size (qcow2 not decoded yet?): NBD pair skipped"
  else
    log "$v: nbdcopy, $runs runs each after a warm-up"
    seconds_of nbdcopy "$(uri "$slx_sock")" null: >/dev/null
    seconds_of nbdcopy "$(uri "$qemu_sock")" null: >/dev/null
    t_slx=""; t_qemu=""; c_slx=0; c_qemu=0
    rm -f "$work/rss.stop"
    sample_rss "$slx_pid" "$work/rss.stop" > "$work/rss.max" &
    sampler=$!
    for _ in $(seq "$runs"); do
      c0=$(ticks "$slx_pid"); t_slx+=" $(seconds_of nbdcopy "$(uri "$slx_sock")" null:)"; c_slx=$((c_slx + $(ticks "$slx_pid") - c0))
      c0=$(ticks "$qemu_pid"); t_qemu+=" $(seconds_of nbdcopy "$(uri "$qemu_sock")" null:)"; c_qemu=$((c_qemu + $(ticks "$qemu_pid") - c0))
    done
    nbd_slx="$(echo "$t_slx" | median)"; nbd_qemu="$(echo "$t_qemu" | median)"
    cpu_slx="$(cpu_per_run 0 "$c_slx")"; cpu_qemu="$(cpu_per_run 0 "$c_qemu")"
    touch "$work/rss.stop"; wait "$sampler"
    rss="$(awk '{ printf "%.0f", $1 / 1024 }' "$work/rss.max")"
    peak="$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$slx_pid/status")"
  fi
  kill "$slx_pid" "$qemu_pid"; wait "$slx_pid" "$qemu_pid" 2>/dev/null || true

  cat_slx="skipped"; cat_qemu=""
  if [[ "$("$slx" image cat --help 2>&1 || true)" == *"slx image cat"* ]]; then
    log "$v: image cat vs qemu-img convert, $runs runs each after a warm-up"
    seconds_of sh -c '"$0" image cat "$1" > "$2"' "$slx" "$img" "$out" >/dev/null || true
    t_slx=""; t_qemu=""
    for _ in $(seq "$runs"); do
      t_slx+=" $(seconds_of sh -c '"$0" image cat "$1" > "$2"' "$slx" "$img" "$out" || echo nan)"
      t_qemu+=" $(seconds_of qemu-img convert -f "$fmt" -O raw "$img" "$out")"
    done
    cat_slx="$(echo "$t_slx" | median)"; cat_qemu="$(echo "$t_qemu" | median)"
    rm -f "$out"
  else
    log "$v: slx image cat is not available yet: pair skipped"
  fi

  if [ "$nbd_slx" = skipped ]; then nbd_row="| skipped | | | | |"; else
    nbd_row="| $(mbps "$nbd_slx") | $(mbps "$nbd_qemu") | $(ratio "$nbd_slx" "$nbd_qemu") | $cpu_slx | $cpu_qemu |"; fi
  if [ "$cat_slx" = skipped ]; then cat_row=" skipped | | |"; else
    cat_row=" $(mbps "$cat_slx") | $(mbps "$cat_qemu") | $(ratio "$cat_slx" "$cat_qemu") |"; fi
  results+=("| $v $nbd_row$cat_row $rss | $peak |")
done

table="| image | nbdcopy from slx nbd serve (MB/s) | from qemu-nbd -r (MB/s) | slx/qemu | slx server CPU s/GiB | qemu-nbd CPU s/GiB | slx image cat (MB/s) | qemu-img convert -O raw (MB/s) | slx/qemu | slx serve RSS while copying (MiB) | slx serve peak RSS (MiB) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in "${results[@]}"; do table+=$'\n'"$row"; done
echo "$table"

[ "$update_docs" = 1 ] || exit 0
docs="$here/docs/BENCHMARKS.md"
mkdir -p "$(dirname "$docs")"
[ -f "$docs" ] || printf '# Benchmarks\n' > "$docs"
section="## Block layer

Written by \`bench/nbd-vs-qemu-nbd.sh --runs $runs --variants \"$variants\"\` on $(date -u +%Y-%m-%d)
($(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), shared with other work;
$(qemu-nbd --version | sed -n 1p), $(nbdcopy --version | sed -n 1p), SLX_JAVA_OPTS=\"$SLX_JAVA_OPTS\"
on top of the launcher's \`$(awk '/^default_java_opts=\(/,/\)$/' "$slx" | tr -d "()'\n" | sed 's/^default_java_opts=//; s/  */ /g')\`, AOT cache \`$([ "${SLX_AOT:-on}" = off ] && echo off || echo on)\`).
1 GiB image (start of a tar of /usr/lib; raw file fully allocated, holes by qemu-img map: $allocation),
unix sockets, nbdcopy to null: (both servers answer block status), median of $runs runs
after a warm-up; ratio = slx throughput / qemu throughput (target: at least 1.20x).
Server CPU is user+system time of the server process per GiB copied. RSS while copying is the
largest VmRSS sampled every 0.1 s during the slx nbdcopy runs, peak RSS the VmHWM of the
\`slx nbd serve\` process (target: at most 48 MB). Load average at the start: $load; at the
end: $(cut -d' ' -f1-3 /proc/loadavg).

$table
"
tmp="$(mktemp)"
awk -v section="$section" '
  /^## Block layer$/ { skip = 1; if (!done) { print section; done = 1 }; next }
  /^#/ && skip { skip = 0 }
  !skip { print }
  END { if (!done) { print ""; print section } }
' "$docs" > "$tmp"
mv "$tmp" "$docs"
log "results written to $docs"
