#!/usr/bin/env bash
# The /sync workloads (DESIGN.md "Standard workloads" 2-4), each reported
# next to the machine's HTTP ceiling (bench/http/ceiling.sh's bare Beast
# server) measured in the same run:
#
#   fanout       one room, FANOUT_MEMBERS members long-polling /sync
#                (timeout 30000); FANOUT_MESSAGES messages sent one at a time,
#                each after every member got the previous one: send ->
#                delivery latency p50/p99 over all deliveries.
#   initial      one user in INITIAL_ROOMS rooms, each with INITIAL_MEMBERS
#                members and INITIAL_EVENTS messages: initial /sync with
#                lazy-loaded members and with all members, INITIAL_REPEAT
#                times each: p50/p99 and response bytes.
#   concurrent   on the same server, CONCURRENT_CLIENTS users of that
#                profile doing initial syncs back to back for
#                CONCURRENT_DURATION s: requests/s and p99.
#   incremental  a user in each of INCREMENTAL_ROOMS rooms (a fresh server
#                per count): INCREMENTAL_REPEAT rounds of "one message into a
#                random room, then /sync?since=..&timeout=0": time per call,
#                and the ratio between the room counts.
#
#   bench/sync/sync_bench.sh                        # everything, full scale
#   SCALE=0.1 bench/sync/sync_bench.sh              # quick run
#   WORKLOADS="incremental" bench/sync/sync_bench.sh
#   PERF=initial WORKLOADS=initial bench/sync/sync_bench.sh  # + perf profiles
#
# Environment (defaults in brackets; SCALE multiplies every count marked *):
#   WORKLOADS            [fanout initial concurrent incremental]
#   SCALE                [1]  e.g. 0.1 for a run of about a minute
#   FANOUT_MEMBERS*      [200]   FANOUT_MESSAGES [50]
#   INITIAL_ROOMS*       [300]   INITIAL_MEMBERS* [300]  INITIAL_EVENTS* [100]
#   INITIAL_REPEAT       [10]    (after 1 untimed warm-up request)
#   CONCURRENT_CLIENTS*  [50]    CONCURRENT_DURATION [20] s after
#   CONCURRENT_WARMUP    [5] s   CONCURRENT_FILTERS [lazy] (lazy and/or full)
#   INCREMENTAL_ROOMS*   ["1000 100"]  INCREMENTAL_REPEAT [200] (after 10)
#   SYNC_WRITES          [false] the server's sync_writes
#   CEILING_DURATION     [5] s per ceiling run (1 and CONCURRENT_CLIENTS
#                        connections)
#   PERF                 [] `perf record -g` of the server during each run
#                        whose label starts with this: fanout, initial-lazy,
#                        initial-full, concurrent-lazy, incremental-1000...
#                        (PERF=initial profiles both filters, separately);
#                        printed as flat profiles
#   KEEP_DIR             [] copy the workdir (JSON results, server logs) here
# Every server gets a fresh data directory in a temporary directory that is
# removed at the end; everything stays on 127.0.0.1 and the script ends by
# itself. Client and server share the machine's cores: the busy % before
# each workload is printed, and a compile alongside lowers every figure.
set -euo pipefail

scale="${SCALE:-1}"
# Scaled count: round(n * SCALE), at least $2 (default 2).
scaled() { awk -v n="$1" -v s="$scale" -v m="${2:-2}" \
  'BEGIN { v = int(n * s + 0.5); print (v < m ? m : v) }'; }

workloads="${WORKLOADS:-fanout initial concurrent incremental}"
fanout_members="$(scaled "${FANOUT_MEMBERS:-200}")"
fanout_messages="${FANOUT_MESSAGES:-50}"
initial_rooms="$(scaled "${INITIAL_ROOMS:-300}" 1)"
initial_members="$(scaled "${INITIAL_MEMBERS:-300}")"
initial_events="$(scaled "${INITIAL_EVENTS:-100}" 1)"
initial_repeat="${INITIAL_REPEAT:-10}"
concurrent_clients="$(scaled "${CONCURRENT_CLIENTS:-50}")"
concurrent_duration="${CONCURRENT_DURATION:-20}"
concurrent_warmup="${CONCURRENT_WARMUP:-5}"
concurrent_filters="${CONCURRENT_FILTERS:-lazy}"
incremental_rooms=""
for n in ${INCREMENTAL_ROOMS:-1000 100}; do
  incremental_rooms+="$(scaled "$n" 1) "
done
incremental_repeat="${INCREMENTAL_REPEAT:-200}"
sync_writes="${SYNC_WRITES:-false}"
ceiling_duration="${CEILING_DURATION:-5}"
perf_workload="${PERF:-}"

# A client's typical filters: the last 10 events of each room, with members
# lazy-loaded (only the timeline's senders) or all of them.
filter_lazy='{"room":{"state":{"lazy_load_members":true},"timeline":{"limit":10}}}'
filter_full='{"room":{"timeline":{"limit":10}}}'

cd "$(dirname "$0")/../.."
bazel build -c opt //server:myelin //bench/http:all //bench/sync:sync_probe
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
probe="$bin/bench/sync/sync_probe"

source bench/lib/myelin.sh
workdir="$(mktemp -d)"
server_pid=""
perf_pid=""
run_label=""
cleanup() {
  if [[ -n "$perf_pid" ]]; then kill -INT "$perf_pid" 2>/dev/null || true; fi
  myelin_stop
  if [[ -n "${KEEP_DIR:-}" ]]; then
    mkdir -p "$KEEP_DIR" && cp -r "$workdir"/. "$KEEP_DIR"/ 2>/dev/null || true
    rm -rf "$KEEP_DIR"/*/data
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

has() { [[ " $workloads " == *" $1 "* ]]; }


# Starts myelin in $workdir/$1 with a fresh data directory; sets server_pid,
# port and server_dir.
start_myelin() {
  server_dir="$workdir/$1"
  mkdir -p "$server_dir"
  bench_config "$sync_writes" >"$server_dir/homeserver.yaml"
  myelin_start "$bin/server/myelin" "$server_dir"
}

# Stops the server and, once it has exited (a running RocksDB preallocates
# its log), records the data directory's size in $server_dir/footprint.
stop_myelin() {
  myelin_stop
  echo "$(du -sm "$server_dir/data" | cut -f1)" >"$server_dir/footprint"
}

populate() {
  python3 bench/sync/populate.py "http://127.0.0.1:$port" "$server_dir" "$@"
}

# Announces workload $1 with the machine's load.
begin_workload() {
  echo
  echo "== $1: $2"
  echo "machine $(busy_percent)% busy, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Brackets one measured run labelled $1 (fanout, initial-lazy, ...): resets
# the server's peak RSS, so that run_end can record the run's own peak in
# $workdir/rss-$1, and starts `perf record` of the server if $1 starts with
# $PERF.
run_begin() {
  run_label="$1"
  echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true
  [[ -n "$perf_workload" && "$1" == "$perf_workload"* ]] || return 0
  perf record -g -F 499 -p "$server_pid" -o "$workdir/perf-$1.data" \
    >/dev/null 2>&1 &
  perf_pid=$!
  sleep 0.5
}

# Ends the run run_begin started; prints the profile if perf recorded one.
run_end() {
  awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$server_pid/status" \
    >"$workdir/rss-$run_label" 2>/dev/null || true
  [[ -n "$perf_pid" ]] || return 0
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  perf_pid=""
  local data="$workdir/perf-$run_label.data"
  echo "-- perf $run_label: self time (top symbols)"
  perf report -i "$data" --no-children -g none --sort dso,symbol \
    --percent-limit 1 --stdio 2>/dev/null | grep '%' | cut -c1-150 || true
  echo "-- perf $run_label: time including callees (Myelin's functions)"
  perf report -i "$data" --children -g none --sort symbol \
    --percent-limit 2 --stdio 2>/dev/null | grep '%' | grep 'myelin::' \
    | cut -c1-200 | head -50 || true
}

run_fanout() {
  start_myelin fanout
  # User 0 sends; users 1..members poll.
  populate --users "$((fanout_members + 1))" --rooms 1 \
    --members "$((fanout_members + 1))"
  tail -n +2 "$server_dir/tokens.txt" >"$server_dir/members.txt"
  begin_workload fanout "$fanout_members members long-polling, $fanout_messages messages"
  run_begin fanout
  "$probe" fanout --port "$port" --tokens "$server_dir/members.txt" \
    --members "$fanout_members" --messages "$fanout_messages" \
    --room "$(head -1 "$server_dir/rooms.txt")" \
    --sender-token "$(head -1 "$server_dir/tokens.txt")" \
    --filter "$filter_lazy" --timeout-ms 30000 | tee "$workdir/fanout.json" || true
  run_end
  stop_myelin
}

# Workloads "initial" and "concurrent" share one populated server.
run_big_profile() {
  start_myelin initial
  populate --users "$(( initial_members > concurrent_clients ? initial_members : concurrent_clients ))" \
    --rooms "$initial_rooms" --members "$initial_members" \
    --messages "$initial_events"
  local token kind filter
  token="$(head -1 "$server_dir/tokens.txt")"
  if has initial; then
    begin_workload initial "1 user in $initial_rooms rooms x $initial_members members x $initial_events messages, $initial_repeat syncs per filter"
    for kind in lazy full; do
      filter="filter_$kind"
      echo "-- $kind members: ${!filter}"
      run_begin "initial-$kind"
      "$probe" repeat --port "$port" --token "$token" --filter "${!filter}" \
        --repeat "$initial_repeat" --warmup 1 | tee "$workdir/initial-$kind.json" || true
      run_end
    done
  fi
  if has concurrent; then
    # Users 0..clients-1 are all members of every room (clients <= members).
    begin_workload concurrent "$concurrent_clients clients, initial syncs back to back, ${concurrent_duration}s after ${concurrent_warmup}s"
    for kind in $concurrent_filters; do
      filter="filter_$kind"
      echo "-- $kind members"
      run_begin "concurrent-$kind"
      "$probe" concurrent --port "$port" --tokens "$server_dir/tokens.txt" \
        --clients "$concurrent_clients" --filter "${!filter}" \
        --duration "$concurrent_duration" --warmup "$concurrent_warmup" \
        | tee "$workdir/concurrent-$kind.json" || true
      run_end
    done
  fi
  stop_myelin
}

run_incremental() {
  local rooms
  for rooms in $incremental_rooms; do
    start_myelin "incremental-$rooms"
    # User 0 syncs, user 1 sends; both in every room, 2 messages each.
    populate --users 2 --rooms "$rooms" --members 2 --messages 2
    begin_workload incremental "1 user in $rooms rooms, $incremental_repeat x (send to 1 random room, sync since)"
    run_begin "incremental-$rooms"
    "$probe" incremental --port "$port" \
      --token "$(sed -n 1p "$server_dir/tokens.txt")" \
      --sender-token "$(sed -n 2p "$server_dir/tokens.txt")" \
      --rooms "$server_dir/rooms.txt" --filter "$filter_lazy" \
      --repeat "$incremental_repeat" --warmup 10 \
      | tee "$workdir/incremental-$rooms.json" || true
    run_end
    stop_myelin
  done
}

if has fanout; then run_fanout; fi
if has initial || has concurrent; then run_big_profile; fi
if has incremental; then run_incremental; fi

# The ceilings: one connection (a sequential client, as in the initial and
# incremental runs) and CONCURRENT_CLIENTS connections.
for c in 1 "$concurrent_clients"; do
  echo
  DURATION="$ceiling_duration" bench/http/ceiling.sh "$c" | tee "$workdir/ceiling-$c.txt"
done

python3 bench/sync/report.py "$workdir" \
  --scale "$scale" --clients "$concurrent_clients" \
  --incremental-rooms "$incremental_rooms" --cores "$(nproc)" \
  --sync-writes "$sync_writes"
