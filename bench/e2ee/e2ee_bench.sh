#!/usr/bin/env bash
# End-to-end encryption workloads over HTTP keep-alive, next to the machine's
# HTTP ceiling (bench/http/ceiling.sh's bare server) measured in the same run:
#   claim     POST /keys/claim, one signed_curve25519 one-time key per
#             request from one device (each key handed out once: the claims
#             of one device are serialised);
#   todevice  PUT /sendToDevice, one 400-byte message to one device per
#             request, each with its own transaction id.
#
#   bench/e2ee/e2ee_bench.sh
#   KEYS=200000 CONNECTIONS=32 DURATION=10 bench/e2ee/e2ee_bench.sh
#
# Environment: KEYS (one-time keys uploaded first, default 100000; the run
# says how many were left, so a claim run that ran dry shows), CONNECTIONS
# (default 32, also used for the ceiling), DURATION (s, default 5), WARMUP
# (s, default 1), SYNC_WRITES (default true).
# Fresh data directory; 127.0.0.1 only; the script ends by itself.
set -euo pipefail

keys="${KEYS:-100000}"
connections="${CONNECTIONS:-32}"
duration="${DURATION:-5}"
warmup="${WARMUP:-1}"
sync_writes="${SYNC_WRITES:-true}"

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

bench_config "$sync_writes" "max_request_body_bytes: 4194304" \
  >"$workdir/homeserver.yaml"
myelin_start "$bin/server/myelin" "$workdir"
url="http://127.0.0.1:$port"

echo "== setup: $keys one-time keys"
python3 bench/e2ee/setup_keys.py "$url" "$keys" "$connections" "$workdir"
sender="$(cat "$workdir/sender.token")"

run() {  # name, loadgen arguments...
  local name="$1"; shift
  echo "== $name: $connections connections, ${duration}s after ${warmup}s warm-up"
  "$bin/bench/http/loadgen" --connections "$connections" \
    --duration "$duration" --warmup "$warmup" --json "$@" \
    >"$workdir/$name.json" || true
  cat "$workdir/$name.json"
}

run claim --url "$url/_matrix/client/v3/keys/claim" --method POST \
  --header "Authorization: Bearer $sender" --header "Content-Type: application/json" \
  --body "$(cat "$workdir/claim.json")"
left="$(curl -s -X POST -H "Authorization: Bearer $(cat "$workdir/target.token")" \
  -H 'Content-Type: application/json' -d '{}' "$url/_matrix/client/v3/keys/upload")"
echo "one-time keys left: $left"

run todevice --url "$url/" --method PUT --targets "$workdir/todevice.tsv" \
  --header "Content-Type: application/json" --body "$(cat "$workdir/todevice.json")"

myelin_stop

DURATION="$duration" WARMUP="$warmup" bench/http/ceiling.sh "$connections" \
  | tee "$workdir/ceiling.txt"
bare_rps="$(awk '$1 == "bare" { print $2 }' "$workdir/ceiling.txt")"

echo
echo "== e2ee summary ($connections connections, $(nproc) cores, ${duration}s, sync_writes=$sync_writes)"
printf '%-10s %10s %10s %10s %8s %8s %10s\n' "" "req/s" "p50 us" "p99 us" "non2xx" "errors" "/ bare"
for name in claim todevice; do
  f="$workdir/$name.json"
  rps="$(json_field "$f" requests_per_s)"
  printf '%-10s %10s %10s %10s %8s %8s %10s\n' "$name" "$rps" "$(json_field "$f" p50)" \
    "$(json_field "$f" p99)" "$(json_field "$f" non_2xx)" "$(json_field "$f" errors)" \
    "$(awk -v t="${rps:-0}" -v b="${bare_rps:-0}" 'BEGIN { if (b > 0) printf "%.3f", t / b }')"
done
printf '%-10s %10s   (bare Beast server, same run)\n' "ceiling" "$bare_rps"
