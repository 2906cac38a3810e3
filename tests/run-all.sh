#!/usr/bin/env bash
# Runs every test suite, brings the native stack up for the live ones and down at the end,
# and closes with the sum of all suites as "N passed, N failed".
# Contract for a suite: it is a make target, it prints "N passed, N failed[, N skipped]" as
# its last such line (tests/lib/harness.sh for shell suites), exits non-zero when anything
# failed, and leaves the stack as it found it.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

# test-compose needs no native stack (its own engine, project and port): it runs before
# `make up`, so the Docker stack and the native one never compete for the 2 cores.
offline_suites=(test-native test-probe test-media-native test-lint test-compose test-swarm)
live_suites=(test-verify test-diff test-memcheck test-php test-browser test-probe-live
             test-security test-faults test-load test-media test-media-live test-stack)
# Optional: SUITES="test-diff test-php" tests/run-all.sh runs only those.
if [[ -n "${SUITES:-}" ]]; then
  read -r -a wanted <<<"$SUITES"
  filter() { local s w; for s in "$@"; do for w in "${wanted[@]}"; do
    [[ $s == "$w" ]] && echo "$s"; done; done; }
  mapfile -t offline_suites < <(filter "${offline_suites[@]}")
  mapfile -t live_suites < <(filter "${live_suites[@]}")
fi

logdir=var/test-logs
mkdir -p "$logdir"
total_pass=0 total_fail=0 total_skip=0
declare -a report=()

run_suite() {
  local suite=$1 log="$logdir/$1.log" rc=0 line p=0 f=0 k=0 started=$SECONDS
  echo "=== $suite"
  make -s --no-print-directory "$suite" 2>&1 | tee "$log" || rc=$?
  line=$(grep -aE '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
  fi
  [[ $line =~ ([0-9]+)\ skipped ]] && k=${BASH_REMATCH[1]}
  # A suite that failed without counting a failure still counts as one failure, and a
  # suite that printed no count at all ran no test: both are failures here.
  if (( rc != 0 && f == 0 )) || [[ -z $line ]]; then f=$((f + 1)); fi
  total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + k))
  report+=("$(printf '%-18s %5d passed, %3d failed, %2d skipped  (%ds, exit %d)' \
              "$suite" "$p" "$f" "$k" $((SECONDS - started)) "$rc")")
}

for s in "${offline_suites[@]}"; do run_suite "$s"; done

if (( ${#live_suites[@]} )); then
  echo "=== make up"
  stack_was_up=0
  [[ -f var/stack.env ]] && stack/status.sh >/dev/null 2>&1 && stack_was_up=1
  if make -s --no-print-directory up; then
    for s in "${live_suites[@]}"; do run_suite "$s"; done
  else
    echo "make up failed: the live suites did not run"
    total_fail=$((total_fail + ${#live_suites[@]}))
    report+=("make up            failed: ${#live_suites[*]} live suites not run")
  fi
  (( stack_was_up )) || { echo "=== make down"; make -s --no-print-directory down || true; }
fi

echo
echo "=== summary"
printf '%s\n' "${report[@]}"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
(( total_fail == 0 ))
