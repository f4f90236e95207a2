#!/usr/bin/env bash
# The "send" workload: many users sending messages into many rooms over HTTP
# keep-alive (PUT /rooms/{roomId}/send/m.room.message/{txnId}), reported as
# events/s and p50/p99 acknowledgement latency next to the machine's HTTP
# ceiling (bench/http/ceiling.sh's bare server) measured in the same run.
#
#   bench/send/send_bench.sh
#   SYNC_WRITES="true false" USERS=20 ROOMS=10 CONNECTIONS=32 DURATION=10 \
#     bench/send/send_bench.sh
#
# Environment: SYNC_WRITES (values to run, default "true false"), USERS
# (default 20), ROOMS (default 10), CONNECTIONS (default 32, also used for the
# ceiling), DURATION (s, default 10), WARMUP (s, default 2), THREADS (loadgen
# threads, default 1), PERF (set to 1 to record `perf record -g` of the server
# during the sync_writes=false run, printed as a flat profile).
# Every run uses a fresh data directory; everything stays on 127.0.0.1 and the
# whole script ends by itself. Client and server share the machine's cores: a
# compile running alongside lowers every figure (the busy % before each run is
# printed).
set -euo pipefail

sync_values="${SYNC_WRITES:-true false}"
users="${USERS:-20}"
rooms="${ROOMS:-10}"
connections="${CONNECTIONS:-32}"
duration="${DURATION:-10}"
warmup="${WARMUP:-2}"
threads="${THREADS:-1}"

cd "$(dirname "$0")/../.."
bazel build -c opt //server:myelin //bench/http:all
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"

source bench/lib/myelin.sh
workdir="$(mktemp -d)"
server_pid=""
cleanup() {
  myelin_stop
  rm -rf "$workdir"
}
trap cleanup EXIT

# Starts myelin with sync_writes=$1 in $workdir/sync-$1; sets server_pid, port.
start_myelin() {
  local dir="$workdir/sync-$1"
  mkdir -p "$dir"
  bench_config "$1" >"$dir/homeserver.yaml"
  myelin_start "$bin/server/myelin" "$dir"
}

# Runs the send load against the server started for sync_writes=$1.
run_send() {
  local sync="$1" out="$workdir/send-$1.json" perf_pid=""
  start_myelin "$sync"
  python3 bench/send/setup_rooms.py "http://127.0.0.1:$port" "$users" "$rooms" \
    "$workdir/targets-$sync.tsv"
  echo "== send, sync_writes=$sync: $users users, $rooms rooms, $connections connections, ${duration}s after ${warmup}s warm-up"
  echo "machine $(busy_percent)% busy before the run"
  if [[ "${PERF:-0}" == 1 && "$sync" == false ]]; then
    perf record -g -F 499 -p "$server_pid" -o "$workdir/perf.data" \
      -- sleep "$((${duration%.*} + ${warmup%.*}))" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  "$bin/bench/http/loadgen" --url "http://127.0.0.1:$port/" --method PUT \
    --body '{"msgtype":"m.text","body":"hello from the send bench"}' \
    --targets "$workdir/targets-$sync.tsv" --connections "$connections" \
    --threads "$threads" --duration "$duration" --warmup "$warmup" --json \
    >"$out" || true
  cat "$out"
  if [[ -n "$perf_pid" ]]; then
    wait "$perf_pid" || true
    echo "-- perf: self time (top symbols)"
    perf report -i "$workdir/perf.data" --no-children -g none --sort dso,symbol \
      --percent-limit 1 --stdio 2>/dev/null | grep '%' | cut -c1-150 || true
    echo "-- perf: time including callees (Myelin's functions)"
    perf report -i "$workdir/perf.data" --children -g none --sort symbol \
      --percent-limit 3 --stdio 2>/dev/null | grep '%' | grep 'myelin::' \
      | cut -c1-200 | head -40 || true
    [[ -n "${PERF_DATA:-}" ]] && cp "$workdir/perf.data" "$PERF_DATA"
  fi
  myelin_stop
}

for sync in $sync_values; do run_send "$sync"; done

DURATION="$duration" WARMUP="$warmup" THREADS="$threads" \
  bench/http/ceiling.sh "$connections" | tee "$workdir/ceiling.txt"
bare_rps="$(awk '$1 == "bare" { print $2 }' "$workdir/ceiling.txt")"

echo
echo "== send summary ($users users, $rooms rooms, $connections connections, $threads client threads, $(nproc) cores, ${duration}s)"
printf '%-18s %10s %10s %10s %8s %8s %12s\n' "" "events/s" "p50 us" "p99 us" "non2xx" "errors" "/ bare"
for sync in $sync_values; do
  f="$workdir/send-$sync.json"
  rps="$(json_field "$f" requests_per_s)"
  printf '%-18s %10s %10s %10s %8s %8s %12s\n' "sync_writes=$sync" "$rps" \
    "$(json_field "$f" p50)" "$(json_field "$f" p99)" "$(json_field "$f" non_2xx)" \
    "$(json_field "$f" errors)" \
    "$(awk -v t="${rps:-0}" -v b="${bare_rps:-0}" 'BEGIN { if (b > 0) printf "%.3f", t / b }')"
done
printf '%-18s %10s   (bare Beast server, GET /versions-like, same run)\n' "ceiling req/s" "$bare_rps"
