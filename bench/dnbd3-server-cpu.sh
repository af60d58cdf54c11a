#!/usr/bin/env bash
# Where the dnbd3 server's CPU goes: user and system time per GB sent, ours against the
# reference dnbd3-server, side by side (docs/BENCHMARKS.md, "dnbd3 server", session 5).
#
#   DNBD3_REFERENCE_SERVER=/path/to/dnbd3-server bench/dnbd3-server-cpu.sh [SECONDS] [ROUNDS]
#
# A 1 GiB random image in the page cache; bench/Dnbd3LoadClient.java streams it with 1, 8 and
# 64 connections (1 MiB GET_BLOCKs, 4 in flight each) from each server in turn, after a 3 s
# warm-up each; utime and stime come from /proc/PID/stat.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
. bench/reference-dnbd3.sh
seconds="${1:-5}"
rounds="${2:-2}"
reference="${DNBD3_REFERENCE_SERVER:?set DNBD3_REFERENCE_SERVER to the reference dnbd3-server binary}"
jdk="${SLX_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin"
export SLX_JAVA_OPTS="${SLX_JAVA_OPTS:--Xmx64m -Xms4m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=16m}"
port=$((20000 + RANDOM % 20000))
work="$(mktemp -d)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir -p "$work/base" "$work/classes"
head -c $((1024 << 20)) /dev/urandom > "$work/base/bench.img.r1"
"$jdk/javac" -d "$work/classes" bench/Dnbd3LoadClient.java
./slx dnbd3 serve --base "$work/base" --listen "127.0.0.1:$port" 2> "$work/server.log" &
ours=$!
pids+=("$ours")
start_reference_server "$reference" "$work/base" $((port + 2)) "$work"
pids+=("$reference_pid")
for _ in $(seq 100); do grep -q "dnbd3: serving" "$work/server.log" 2>/dev/null && break; sleep 0.1; done

load() { "$jdk/java" -XX:+UseSerialGC -cp "$work/classes" Dnbd3LoadClient 127.0.0.1 "$1" bench.img "$2" "$3" 4 1048576; }
load "$port" 64 3 > /dev/null
load $((port + 2)) 64 3 > /dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| clients | server | MB/s | user CPU s/GB | system CPU s/GB |"
echo "| --- | --- | ---: | ---: | ---: |"
for _ in $(seq "$rounds"); do
  for clients in 1 8 64; do
    for who in "ours $port $ours" "reference $((port + 2)) $reference_pid"; do
      read -r name p pid <<< "$who"
      read -r u0 s0 <<< "$(awk '{print $14, $15}' "/proc/$pid/stat")"
      out="$(load "$p" "$clients" "$seconds")"
      read -r u1 s1 <<< "$(awk '{print $14, $15}' "/proc/$pid/stat")"
      bytes="$(sed 's/.*bytes=\([0-9]*\).*/\1/' <<< "$out")"
      awk -v c="$clients" -v n="$name" -v r="$(sed 's/.*MB\/s=//' <<< "$out")" -v u=$((u1 - u0)) -v s=$((s1 - s0)) \
        -v b="$bytes" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "| %s | %s | %d | %.3f | %.3f |\n", c, n, r, u / hz / (b / 1e9), s / hz / (b / 1e9) }'
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
