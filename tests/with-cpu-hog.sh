#!/usr/bin/env bash
# Runs a command with busy loops beside it, to prove the suites judge faults, not the
# machine's speed: `tests/with-cpu-hog.sh make test` (or `make test-under-load`).
# WITSPER_HOG_LOOPS busy loops (default 2, one per core here) at the same priority as the
# command; they stop when the command ends, and after WITSPER_HOG_MAX_SECONDS (default
# 5400, CI's limit) in any case. Exits with the command's status.
set -Eeuo pipefail
(( $# )) || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
loops=${WITSPER_HOG_LOOPS:-2}
max=${WITSPER_HOG_MAX_SECONDS:-5400}
hogs=()
for ((i = 0; i < loops; i++)); do
  # A subshell spinning on a shell builtin: pure CPU, no I/O, bounded in time.
  ( end=$((SECONDS + max)); while (( SECONDS < end )); do :; done ) &
  hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null || true' EXIT
echo "with-cpu-hog: $loops busy loops (pids ${hogs[*]}) beside: $*"
rc=0
"$@" || rc=$?
exit "$rc"
