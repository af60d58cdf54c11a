#!/usr/bin/env bash
# dnbd3 client benchmark: sequential read throughput of our client (Dnbd3Source) against our
# server (slx dnbd3 serve) on loopback, with 1 MiB GET_BLOCKs and several in flight, with and
# without a CRC list (whole 16 MiB blocks checked), plus `slx dnbd3 cat` end to end.
# For scale, a minimal raw client (bench/Dnbd3LoadClient.java: one thread, 16 x 1 MiB always in
# flight, data thrown away) reads from the same server: the ceiling of a Java TCP reader here.
# With DNBD3_REFERENCE_SERVER=/path/to/dnbd3-server (optional) our client and the raw client also
# read from the reference server (started as `dnbd3-server -n -c CONFDIR`, same base folder).
# Results go to stdout as Markdown rows for docs/BENCHMARKS.md.
#   [DNBD3_REFERENCE_SERVER=PATH] bench/dnbd3-client.sh [SECONDS_PER_RUN] [IMAGE_MIB]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
. bench/reference-dnbd3.sh

seconds="${1:-10}"
image_mib="${2:-1024}"
java_home="${SLX_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
port=$((20000 + RANDOM % 20000))

reference="${DNBD3_REFERENCE_SERVER:-}"
reference_port=$((port + 2))

work="$(mktemp -d)"
server_pid=""
reference_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$reference_pid" ] && kill -TERM "$reference_pid" 2>/dev/null && wait "$reference_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/base"
echo "bench: writing a ${image_mib} MiB image of random data" >&2
head -c "$((image_mib << 20))" /dev/urandom > "$work/base/bench.img.r1"
cp "$work/base/bench.img.r1" "$work/base/checked.img.r1"
./slx dnbd3 crc "$work/base/checked.img.r1" >&2
cat "$work/base/"*.img.r1 > /dev/null # into the page cache

./slx dnbd3 serve --base "$work/base" --listen "127.0.0.1:$port" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "dnbd3: serving" "$work/server.log" 2>/dev/null && break; sleep 0.1; done
if [ -n "$reference" ]; then
  start_reference_server "$reference" "$work/base" "$reference_port" "$work"
fi

bench() { # port image read_bytes threads [request_bytes]
  "$java_home/bin/java" -cp target/slx.jar bench/Dnbd3ClientBench.java "dnbd3://127.0.0.1:$1/$2" "$3" "$seconds" "$4" ${5:-} 2> "$work/client.log"
}
row_on() { # port label image read_bytes threads [request_bytes]
  local on="$1" label="$2" result mbs cpu
  shift 2
  result="$(bench "$on" "$@")"
  mbs="$(sed 's/.*MB\/s=\([0-9]*\).*/\1/' <<<"$result")"
  cpu="$(sed 's/.*clientCpuSecondsPerGB=\([0-9.]*\).*/\1/' <<<"$result")"
  echo "| $label | $mbs MB/s | $cpu s |"
}
row() { # label image read_bytes threads [request_bytes]: against our server
  row_on "$port" "$@"
}
raw_row() { # port label: the minimal raw client, 16 x 1 MiB in flight
  local result
  result="$("$java_home/bin/java" bench/Dnbd3LoadClient.java 127.0.0.1 "$1" bench.img 1 "$seconds" 16 $((1 << 20)) 2> "$work/raw.log")"
  echo "| $2 | $(sed 's/.*MB\/s=\([0-9]*\).*/\1/' <<<"$result") MB/s | |"
}

echo "| client reads (1 MiB GET_BLOCKs unless noted) | throughput | client CPU per GB |"
echo "| --- | ---: | ---: |"
row "1 thread, 1 MiB reads: 1 request in flight" bench.img $((1 << 20)) 1
row "1 thread, 4 MiB reads: 4 in flight" bench.img $((4 << 20)) 1
row "4 threads, 4 MiB reads: 16 in flight" bench.img $((4 << 20)) 4
row "1 thread, 16 MiB reads: 16 in flight" bench.img $((16 << 20)) 1
row "1 thread, 16 MiB reads as one 16 MiB GET_BLOCK" bench.img $((16 << 20)) 1 $((16 << 20))
row "1 thread, 16 MiB reads: 16 in flight, CRC list (every block checked)" checked.img $((16 << 20)) 1
row "4 threads, 4 MiB reads: 16 in flight, CRC list (every block checked)" checked.img $((4 << 20)) 4
raw_row "$port" "for scale: minimal raw client, 16 × 1 MiB always in flight"
if [ -n "$reference" ]; then
  row_on "$reference_port" "reference server: 4 threads, 4 MiB reads: 16 in flight" bench.img $((4 << 20)) 4
  row_on "$reference_port" "reference server: 4 threads, 4 MiB reads: 16 in flight, CRC list" checked.img $((4 << 20)) 4
  raw_row "$reference_port" "reference server, for scale: minimal raw client, 16 × 1 MiB in flight"
fi

start=$(date +%s.%N)
./slx dnbd3 cat --timeout 30s "dnbd3://127.0.0.1:$port/checked.img" > /dev/null 2> "$work/cat.log"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v mib="$image_mib" \
  'BEGIN { printf "| slx dnbd3 cat of the %d MiB image to /dev/null (JVM start included, CRC checked): %.2f s | %.0f MB/s | |\n", mib, e - s, mib * 1048576 / (e - s) / 1e6 }'
