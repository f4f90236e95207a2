#!/usr/bin/env bash
# README command 2: install what is missing, build everything and run every
# test suite, really (no cached results). Ends with "N passed, N failed",
# counting test cases over all suites.
set -uo pipefail
cd "$(dirname "$0")/../.."

bash tools/setup/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

marker=$(mktemp)
log=$(mktemp)
bazel test --nocache_test_results --test_output=errors //... 2>&1 | tee "$log"
bazel_status=${PIPESTATUS[0]}

passed=0
failed=0
total_skipped=0
# Every suite run in this invocation wrote a fresh test.xml.
while IFS= read -r xml; do
  header=$(grep -m1 -o '<testsuites[^>]*>' "$xml" || true)
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$header"; }
  tests=$(attr tests); failures=$(attr failures); errors=$(attr errors)
  disabled=$(attr disabled)
  tests=${tests:-0}; failures=${failures:-0}; errors=${errors:-0}
  disabled=${disabled:-0}
  skipped=$(grep -c '<skipped' "$xml" || true)
  bad=$((failures + errors))
  if ((tests == 0)); then
    # A suite that ran no case but failed (crash before any test) counts as 1.
    grep -q '<failure\|<error' "$xml" && bad=1
  fi
  failed=$((failed + bad))
  passed=$((passed + tests - disabled - skipped - bad))
  total_skipped=$((total_skipped + skipped))
done < <(find -L bazel-testlogs/ -name test.xml -newer "$marker" 2>/dev/null)

# Suites that failed to build or timed out leave no fresh XML.
unreported=$(grep -cE '^//.* (FAILED TO BUILD|TIMEOUT|NO STATUS)' "$log" || true)
failed=$((failed + unreported))
if ((bazel_status != 0 && failed == 0)); then failed=1; fi
rm -f "$marker" "$log"

if ((total_skipped > 0)); then
  echo "$passed passed, $failed failed, $total_skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0 && bazel_status == 0))
