# Sourced by the benchmark scripts: a myelin server on 127.0.0.1 (port 0)
# with a benchmark config, and the small helpers every script needs.
#
#   source bench/lib/myelin.sh
#   bench_config true "max_upload_size_bytes: 1048576" >"$dir/homeserver.yaml"
#   myelin_start "$bin/server/myelin" "$dir"   # sets server_pid and port
#   ...
#   myelin_stop                                # SIGTERM, then SIGKILL after 15 s
#
# Scripts set `server_pid=""` before trapping EXIT with a cleanup that calls
# myelin_stop, so a failing run never leaves a server behind.

# The shared benchmark config: loopback, registration on, rate limits off,
# cheap password hashing; `sync_writes` as given, then any extra lines.
bench_config() {
  local sync_writes="$1"; shift
  cat <<YAML
server_name: bench.example
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: 0
    resources: [client]
data_dir: ./data
sync_writes: $sync_writes
argon2_opslimit: 1
argon2_memlimit_kib: 8
enable_registration: true
rate_limiting: {enabled: false}
YAML
  local line
  for line in "$@"; do echo "$line"; done
}

# Starts BINARY in DIR (which holds homeserver.yaml); waits for its
# "listening" line, at most 30 s. Sets server_pid and port; exits the script
# with the server's stderr if it does not come up.
myelin_start() {
  local binary="$1" dir="$2"
  : >"$dir/server.out"  # Read below before the server may have written.
  (cd "$dir" && exec "$binary" --config homeserver.yaml \
     >server.out 2>server.err) &
  server_pid=$!
  port=""
  for _ in $(seq 300); do
    port="$(sed -n 's|^myelin: listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$dir/server.out")"
    [[ -n "$port" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "myelin did not start:" >&2
  cat "$dir/server.err" >&2
  exit 1
}

# Stops the server started by myelin_start (if any) and waits for it.
myelin_stop() {
  [[ -n "${server_pid:-}" ]] || return 0
  kill "$server_pid" 2>/dev/null || true
  timeout 15 tail --pid="$server_pid" -f /dev/null || kill -9 "$server_pid" 2>/dev/null || true
  server_pid=""
}

# A number field of a one-line JSON report: json_field FILE KEY.
json_field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$1"; }

# How busy the machine's CPUs are over half a second, in percent.
busy_percent() {
  local a b
  a=($(head -1 /proc/stat)); sleep 0.5; b=($(head -1 /proc/stat))
  awk -v u="$((b[1] + b[2] + b[3] + b[6] + b[7] - a[1] - a[2] - a[3] - a[6] - a[7]))" \
      -v i="$((b[4] + b[5] - a[4] - a[5]))" \
      'BEGIN { printf "%.0f", (u + i > 0) ? 100 * u / (u + i) : 0 }'
}
