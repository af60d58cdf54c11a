#!/usr/bin/env bash
# dnbd3 server benchmark on loopback: throughput with 1, 8 and 64 streaming clients (1 MiB
# GET_BLOCKs, 4 in flight each, bench/Dnbd3LoadClient.java), next to a minimal C sendfile server
# (bench/dnbd3-sendfile-baseline.c, what the reference does per request; built with cc if there)
# under the same load; and the server's memory idle, while 64 clients stream, and with 2000 idle clients.
# With DNBD3_REFERENCE_SERVER=/path/to/dnbd3-server (optional; skipped when unset) the reference
# server runs the same load too (started as `dnbd3-server -n -c CONFDIR` with a server.conf whose
# basePath is the image folder), in a column of its own.
# Each client count is measured ROUNDS times (default 3), the servers taking turns in a rotating
# order, after a short warm-up of every server (our JIT compiles the request loop then); every row
# carries the load average before it, and the ratio ours / reference (or / C loop without one).
# Prints Markdown rows for docs/BENCHMARKS.md.
#   [DNBD3_REFERENCE_SERVER=PATH] [ROUNDS=3] bench/dnbd3-server.sh [SECONDS_PER_RUN] [IMAGE_MIB]
# SLX_JAVA_OPTS goes to the server JVM; the default below is the small-memory setting.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
. bench/reference-dnbd3.sh

seconds="${1:-10}"
image_mib="${2:-1024}"
rounds="${ROUNDS:-3}"
java="${SLX_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
export SLX_JAVA_OPTS="${SLX_JAVA_OPTS:--Xmx64m -Xms4m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=16m}"
port=$((20000 + RANDOM % 20000))
baseline_port=$((port + 1))
reference_port=$((port + 2))
reference="${DNBD3_REFERENCE_SERVER:-}"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/base"
echo "bench: writing a ${image_mib} MiB image of random data" >&2
head -c "$((image_mib << 20))" /dev/urandom > "$work/base/bench.img.r1"
cat "$work/base/bench.img.r1" > /dev/null # into the page cache

./slx --help > /dev/null # build if needed
mkdir -p "$work/classes"
"$(dirname "$java")/javac" -d "$work/classes" bench/Dnbd3LoadClient.java # once, not per run
./slx dnbd3 serve --base "$work/base" --listen "127.0.0.1:$port" 2> "$work/server.log" &
server_pid=$! # ./slx execs java, so this is the JVM
pids+=("$server_pid")
have_baseline=false
if cc -O2 -pthread -o "$work/baseline" bench/dnbd3-sendfile-baseline.c 2> "$work/baseline.log"; then
  "$work/baseline" "$baseline_port" "$work/base/bench.img.r1" bench.img >> "$work/baseline.log" 2>&1 &
  baseline_pid=$!
  pids+=("$baseline_pid")
  have_baseline=true
else
  echo "bench: no C compiler, no sendfile baseline" >&2
fi
have_reference=false
if [ -n "$reference" ]; then
  start_reference_server "$reference" "$work/base" "$reference_port" "$work"
  pids+=("$reference_pid")
  have_reference=true
fi
for _ in $(seq 100); do grep -q "dnbd3: serving" "$work/server.log" 2>/dev/null && break; sleep 0.1; done

memory() { # "RSS x MiB (anonymous y MiB)"
  awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {printf "RSS %d MiB (anonymous %d MiB)", r/1024, a/1024}' "/proc/$server_pid/status"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# PORT PID CLIENTS SECONDS [MEMORY_SAMPLE_FILE] -> "MB/s (server CPU s per GB)"
load() {
  local before after bytes
  before="$(cpu_ticks "$2")"
  "$java" -XX:+UseSerialGC -cp "$work/classes" Dnbd3LoadClient 127.0.0.1 "$1" bench.img "$3" "$4" 4 1048576 > "$work/load.out" &
  local load_pid=$!
  if [ -n "${5:-}" ]; then sleep "$(( $4 / 2 + 2 ))"; memory > "$5"; fi
  wait "$load_pid"
  after="$(cpu_ticks "$2")"
  bytes="$(sed 's/.*bytes=\([0-9]*\).*/\1/' "$work/load.out")"
  awk -v r="$(sed 's/.*MB\/s=//' "$work/load.out")" -v t="$((after - before))" -v b="$bytes" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%d MB/s (%.2f CPU s/GB)", r, t / hz / (b / 1e9)}'
}

# Servers in turn: NAME PORT PID
servers=("ours $port $server_pid")
if $have_baseline; then servers+=("baseline $baseline_port $baseline_pid"); fi
if $have_reference; then servers+=("reference $reference_port $reference_pid"); fi
for entry in "${servers[@]}"; do
  read -r _ p pid <<< "$entry"
  load "$p" "$pid" 64 3 > /dev/null # warm-up, not reported
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| clients | round (load avg) | slx dnbd3 serve | C sendfile loop | reference dnbd3-server | ours / $($have_reference && echo reference || echo C loop) | slx server memory |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
echo "| idle | | | | | | $(memory) |"
for clients in 1 8 64; do
  for round in $(seq "$rounds"); do
    loadavg="$(cut -d' ' -f1 /proc/loadavg)"
    declare -A result=([ours]="-" [baseline]="-" [reference]="-")
    n=${#servers[@]}
    for k in $(seq 0 $((n - 1))); do
      read -r name p pid <<< "${servers[$(( (k + round) % n ))]}"
      if [ "$name" = ours ]; then
        result[ours]="$(load "$p" "$pid" "$clients" "$seconds" "$work/during")"
      else
        result[$name]="$(load "$p" "$pid" "$clients" "$seconds")"
      fi
    done
    versus="${result[reference]}"; [ "$versus" = "-" ] && versus="${result[baseline]}"
    ratio="$(awk -v a="${result[ours]%% *}" -v b="${versus%% *}" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}')"
    echo "| $clients | $round ($loadavg) | ${result[ours]} | ${result[baseline]} | ${result[reference]} | $ratio | $(cat "$work/during") |"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

mkfifo "$work/hold"
"$java" -XX:+UseSerialGC -cp "$work/classes" Dnbd3LoadClient 127.0.0.1 "$port" bench.img 2000 0 < "$work/hold" > "$work/idle.out" &
idle_pid=$!
pids+=("$idle_pid")
exec 7> "$work/hold"
for _ in $(seq 600); do grep -q connected "$work/idle.out" 2>/dev/null && break; sleep 0.1; done
sleep 2
echo "| 2000 idle clients ($(cat "$work/idle.out"), $(ls /proc/$server_pid/task | wc -l) server threads) | | | | | | $(memory) |"
exec 7>&-
wait "$idle_pid" || true
echo "| peak over the whole run (VmHWM) | | | | | | $(awk '/^VmHWM/ {printf "%d MiB", $2/1024}' "/proc/$server_pid/status") |"
