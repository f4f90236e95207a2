#!/usr/bin/env bash
# Measures this machine's HTTP ceiling: the requests/s of a minimal Beast
# server (bare_server) under loadgen, and optionally of another loopback URL
# (Myelin's /_matrix/client/versions) in the same run, reported as a ratio.
#
#   bench/http/ceiling.sh [CONNECTIONS] [URL]
#   MYELIN_URL=http://127.0.0.1:8008/_matrix/client/versions bench/http/ceiling.sh
#
# Environment: DURATION (s, default 5), WARMUP (s, default 1), THREADS (loadgen
# threads, default 1), SERVER_THREADS (bare_server threads, default nproc),
# REPEAT (runs per target, default 1; the run with the most requests/s is
# kept, since outside load only ever lowers the figure).
# Client and server share the machine's cores, and anything else running (a
# compile) lowers the figures: each run prints how busy the machine was just
# before it. Keep the same settings when comparing. Everything stays on
# 127.0.0.1.
set -euo pipefail

connections=32
url="${MYELIN_URL:-}"
if [[ $# -ge 1 && "$1" == http://* ]]; then
  url="$1"
elif [[ $# -ge 1 ]]; then
  connections="$1"
  [[ $# -ge 2 ]] && url="$2"
fi
duration="${DURATION:-5}"
warmup="${WARMUP:-1}"
threads="${THREADS:-1}"
server_threads="${SERVER_THREADS:-$(nproc)}"
repeat="${REPEAT:-1}"

cd "$(dirname "$0")/../.."
bazel build -c opt //bench/http:all
# -c opt output lives apart from the default build's; ask Bazel where.
bin="$(bazel info -c opt bazel-bin 2>/dev/null)/bench/http"

source bench/lib/myelin.sh
workdir="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

: >"$workdir/server.out"  # Read below before the server may have written.
"$bin/bare_server" --port 0 --threads "$server_threads" >"$workdir/server.out" &
server_pid=$!
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$workdir/server.out")"
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "bare_server exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { echo "bare_server did not report its port" >&2; exit 1; }


# Runs loadgen against $1 $repeat times, prints each JSON line, leaves the
# one with the most requests/s in $2.
measure() {
  local target="$1" json_file="$2" run="$workdir/run.json" best=-1 rps
  echo "== $target ($connections connections, $threads client threads, ${duration}s after ${warmup}s warm-up)"
  for ((i = 1; i <= repeat; i++)); do
    echo "machine $(busy_percent)% busy before run $i"
    "$bin/loadgen" --url "$target" --connections "$connections" \
      --threads "$threads" --duration "$duration" --warmup "$warmup" --json \
      >"$run" || true
    cat "$run"
    rps="$(json_field "$run" requests_per_s)"
    if [[ -n "$rps" ]] && awk -v r="$rps" -v b="$best" 'BEGIN { exit !(r > b) }'; then
      best="$rps"
      cp "$run" "$json_file"
    fi
  done
  [[ -s "$json_file" ]]
}

measure "http://127.0.0.1:$port/_matrix/client/versions" "$workdir/bare.json"
kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
server_pid=""

if [[ -n "$url" ]]; then
  measure "$url" "$workdir/target.json" || true
fi

echo
echo "== summary ($connections connections, $threads client threads, $(nproc) cores, bare_server threads $server_threads, best of $repeat)"
printf '%-10s %12s %10s %10s %10s %8s %8s\n' "" "req/s" "p50 us" "p99 us" "max us" "non2xx" "errors"
row() {
  printf '%-10s %12s %10s %10s %10s %8s %8s\n' "$1" "$(json_field "$2" requests_per_s)" \
    "$(json_field "$2" p50)" "$(json_field "$2" p99)" "$(json_field "$2" max)" \
    "$(json_field "$2" non_2xx)" "$(json_field "$2" errors)"
}
row bare "$workdir/bare.json"
if [[ -s "$workdir/target.json" ]]; then
  row target "$workdir/target.json"
  awk -v t="$(json_field "$workdir/target.json" requests_per_s)" \
      -v b="$(json_field "$workdir/bare.json" requests_per_s)" \
      'BEGIN { if (b > 0) printf "ratio      target / bare = %.3f\n", t / b }'
fi
