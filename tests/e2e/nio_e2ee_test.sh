#!/usr/bin/env bash
# Runs the matrix-nio end-to-end encryption test with Debian's python (the
# one that has python3-matrix-nio and python3-olm). Bazel runs it from the
# runfiles root; by hand:
#   MYELIN=bazel-bin/server/myelin tests/e2e/nio_e2ee_test.sh
set -euo pipefail
# The script bounds itself (150 s); this is the backstop.
exec timeout --kill-after=10 180 /usr/bin/python3 tests/e2e/nio_e2ee_test.py \
  "${MYELIN:-server/myelin}"
