#!/usr/bin/env bash
# dnbd3 server benchmark: throughput with 1, 8 and 64 streaming clients (1 MiB requests, 4 in
# flight each) on loopback, and the server's RSS idle, with 64 streaming clients and with 2000
# idle connections. Results go to stdout as Markdown rows for docs/BENCHMARKS.md.
#   bench/dnbd3-server.sh [SECONDS_PER_RUN] [IMAGE_MIB]
# SLX_JAVA_OPTS is passed to the server JVM (default below keeps the heap small).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

seconds="${1:-10}"
image_mib="${2:-1024}"
java_home="${SLX_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export SLX_JAVA_OPTS="${SLX_JAVA_OPTS:--Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k}"
port=$((20000 + RANDOM % 20000))

work="$(mktemp -d)"
server_pid=""
idle_pid=""
cleanup() {
  [ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/base"
echo "bench: writing a ${image_mib} MiB image of random data" >&2
head -c "$((image_mib << 20))" /dev/urandom > "$work/base/bench.img.r1"
cat "$work/base/bench.img.r1" > /dev/null # into the page cache

./slx --help > /dev/null # build if needed
./slx dnbd3 serve --base "$work/base" --listen "127.0.0.1:$port" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "dnbd3: serving" "$work/server.log" 2>/dev/null && break; sleep 0.1; done
# ./slx execs java, so $server_pid is the JVM.

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status"; }
load() { "$java_home/bin/java" -XX:+UseSerialGC bench/Dnbd3LoadClient.java 127.0.0.1 "$port" bench.img "$@"; }

sleep 1
echo "| server idle | RSS $(( $(rss_kib) / 1024 )) MiB |"
for clients in 1 8 64; do
  result="$(load "$clients" "$seconds" 4 1048576)"
  mbs="$(sed 's/.*MB\/s=//' <<<"$result")"
  echo "| $clients streaming client(s), 1 MiB requests, 4 in flight | $mbs MB/s | RSS after $(( $(rss_kib) / 1024 )) MiB |"
done
echo "| peak RSS during the runs (VmHWM) | $(( $(hwm_kib) / 1024 )) MiB |"

mkfifo "$work/hold"
load 2000 0 < "$work/hold" > "$work/idle.out" &
idle_pid=$!
exec 7> "$work/hold"
for _ in $(seq 600); do grep -q connected "$work/idle.out" 2>/dev/null && break; sleep 0.1; done
sleep 2
echo "| 2000 idle connected clients | $(cat "$work/idle.out") | RSS $(( $(rss_kib) / 1024 )) MiB |"
exec 7>&-
wait "$idle_pid" || true
idle_pid=""
