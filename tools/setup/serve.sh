#!/usr/bin/env bash
# README command 1: install what is missing, build, and start a homeserver
# for "localhost" on http://127.0.0.1:8008 with the embedded default
# configuration and its data in ./data (created on first start).
# Extra arguments go to the server, e.g. --config homeserver.yaml.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/setup/deps.sh
echo "myelin: building (the first build takes a few minutes)..." >&2
bazel build -c opt //server:myelin //tools:myelin-admin >&2
exec bazel-bin/server/myelin "$@"
