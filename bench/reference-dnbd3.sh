# Sourced by the dnbd3 benchmarks: the reference dnbd3-server (DNBD3_REFERENCE_SERVER=path, built
# outside this repository) serving the same base folder, for side-by-side runs.

# start_reference_server BINARY BASE PORT WORKDIR: starts it in the background (its pid in
# reference_pid, its log in WORKDIR/reference.log) and returns once it accepts connections.
start_reference_server() {
  local binary="$1" base="$2" port="$3" work="$4"
  [ -x "$binary" ] || { echo "bench: DNBD3_REFERENCE_SERVER=$binary is not an executable" >&2; exit 2; }
  mkdir -p "$work/reference-conf"
  printf '[dnbd3]\nbasePath=%s\nlistenPort=%s\n' "$base" "$port" > "$work/reference-conf/server.conf"
  "$binary" -n -c "$work/reference-conf" > "$work/reference.log" 2>&1 &
  reference_pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  sleep 1 # the reference loads its images in the background
}
