#!/usr/bin/env bash
# The media repository over HTTP next to this machine's disk, measured in
# the same run: upload and download MB/s of one large file (curl on
# 127.0.0.1, one connection) against a raw `dd` write (fsync'd) and read of
# the same size in the same directory. Thumbnail generation per second is
# bench/thumbnail_bench (in process).
#
#   bench/media/media_bench.sh
#   SIZE_MB=512 SYNC_WRITES=false bench/media/media_bench.sh
#
# Environment: SIZE_MB (default 256), SYNC_WRITES (default true), REPEAT
# (default 3; the best run of each is reported). Fresh data directory on
# $TMPDIR (default /tmp); 127.0.0.1 only; ends by itself.
set -euo pipefail

size_mb="${SIZE_MB:-256}"
sync_writes="${SYNC_WRITES:-true}"
repeat="${REPEAT:-3}"

cd "$(dirname "$0")/../.."
bazel build -c opt //server:myelin
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"

source bench/lib/myelin.sh
workdir="$(mktemp -d)"
server_pid=""
cleanup() {
  myelin_stop
  rm -rf "$workdir"
}
trap cleanup EXIT

bench_config "$sync_writes" "max_upload_size_bytes: $(( (size_mb + 1) << 20 ))" \
  >"$workdir/homeserver.yaml"
myelin_start "$bin/server/myelin" "$workdir"
url="http://127.0.0.1:$port"

token="$(curl -s -X POST "$url/_matrix/client/v3/register" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"bench pw","auth":{"type":"m.login.dummy"}}' \
  | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[[ -n "$token" ]] || { echo "registration failed" >&2; exit 1; }

head -c "$((size_mb << 20))" /dev/urandom >"$workdir/file.bin"
bytes=$((size_mb << 20))
mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }
best() { sort -g | head -1; }

upload_s=() download_s=() write_s=() read_s=()
for i in $(seq "$repeat"); do
  out="$(curl -s -o "$workdir/upload.json" -w '%{time_total}' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$workdir/file.bin" "$url/_matrix/media/v3/upload?filename=file.bin")"
  upload_s+=("$out")
  media="$(sed -n 's|.*"content_uri":"mxc://\([^"]*\)".*|\1|p' "$workdir/upload.json")"
  [[ -n "$media" ]] || { echo "upload failed: $(cat "$workdir/upload.json")" >&2; exit 1; }
  download_s+=("$(curl -s -o "$workdir/down.bin" -w '%{time_total}' \
    -H "Authorization: Bearer $token" "$url/_matrix/client/v1/media/download/$media")")
  cmp -s "$workdir/file.bin" "$workdir/down.bin" || { echo "download differs" >&2; exit 1; }
  rm -f "$workdir/down.bin"
  start=$(date +%s.%N)
  dd if="$workdir/file.bin" of="$workdir/dd.bin" bs=1M conv=fsync status=none
  write_s+=("$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')")
  start=$(date +%s.%N)
  dd if="$workdir/dd.bin" of=/dev/null bs=1M status=none
  read_s+=("$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')")
  rm -f "$workdir/dd.bin"
done
rss_kib="$(sed -n 's/^VmHWM:\s*\([0-9]*\) kB/\1/p' /proc/$server_pid/status)"

up="$(printf '%s\n' "${upload_s[@]}" | best)"; down="$(printf '%s\n' "${download_s[@]}" | best)"
wr="$(printf '%s\n' "${write_s[@]}" | best)"; rd="$(printf '%s\n' "${read_s[@]}" | best)"
echo
echo "== media summary: ${size_mb} MiB file, best of $repeat, sync_writes=$sync_writes, $(nproc) cores"
printf '%-28s %10s %10s\n' "" "MB/s" "/ disk"
printf '%-28s %10s %10s\n' "upload (POST /upload)" "$(mbps "$up")" \
  "$(awk -v a="$wr" -v b="$up" 'BEGIN { printf "%.2f", a / b }')"
printf '%-28s %10s %10s\n' "raw disk write (dd, fsync)" "$(mbps "$wr")" "1.00"
printf '%-28s %10s %10s\n' "download (v1 /download)" "$(mbps "$down")" \
  "$(awk -v a="$rd" -v b="$down" 'BEGIN { printf "%.2f", a / b }')"
printf '%-28s %10s %10s\n' "raw read (dd, page cache)" "$(mbps "$rd")" "1.00"
echo "server peak RSS: $((rss_kib / 1024)) MiB"
