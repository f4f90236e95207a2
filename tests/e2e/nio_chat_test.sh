#!/usr/bin/env bash
# Runs the matrix-nio end-to-end test with Debian's python (the one that has
# python3-matrix-nio), never the first python3 on PATH. Bazel runs it from the
# runfiles root; by hand: MYELIN=bazel-bin/server/myelin tests/e2e/nio_chat_test.sh
set -euo pipefail
# The script bounds itself (120 s); this is the backstop.
exec timeout --kill-after=10 150 /usr/bin/python3 tests/e2e/nio_chat_test.py \
  "${MYELIN:-server/myelin}"
