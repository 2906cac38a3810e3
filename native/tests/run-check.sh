#!/usr/bin/env bash
# `make -C native check` (the test-native suite): runs every part and sums
# their "N passed, N failed" lines into the last line. Non-zero exit if
# anything failed. Budget: well under 3 minutes on 2 cores (fuzz-short is
# 30 s of it).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
export CC=${CC:-cc}
total_p=0 total_f=0
declare -a summary=()

part() {
  local name=$1 rc=0 line p=0 f=0 log
  shift
  log=$(mktemp)
  echo "--- $name"
  "$@" 2>&1 | tee "$log" || rc=$?
  line=$(grep -aE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
  fi
  # A part that failed without counting it, or counted nothing, failed.
  if (( rc != 0 && f == 0 )) || [[ -z $line ]]; then f=$((f + 1)); fi
  total_p=$((total_p + p)) total_f=$((total_f + f))
  summary+=("$(printf '%-16s %5d passed, %3d failed' "$name" "$p" "$f")")
  rm -f "$log"
}

replay() {
  # Each kept input runs once under ASan+UBSan; libFuzzer exits non-zero
  # on the first one that fails.
  local n
  shopt -s nullglob
  local files=(fuzz/regressions/*)
  n=${#files[@]}
  if (( n == 0 )); then echo "replay: 0 passed, 1 failed (no inputs)"; return 1; fi
  if build/fuzz_parse "${files[@]}" >/dev/null 2>&1; then
    echo "replay: $n passed, 0 failed"
  else
    build/fuzz_parse "${files[@]}" 2>&1 | tail -n 30
    echo "replay: 0 passed, $n failed"
    return 1
  fi
}

part unit build/unit
part asan-unit build/asan/unit
part valgrind-unit valgrind --quiet --error-exitcode=1 --leak-check=full \
  --errors-for-leak-kinds=all build/unit
part headers tests/header-check.sh
part symbols tests/symbols.sh
part install tests/install-check.sh
part php-crosscheck php -d ffi.enable=1 tests/php-crosscheck.php build/libwitsper.so.1 3000
part pathological build/patho
part patho-instructions tests/patho-instr.sh
lint() {
  if make -s lint >/dev/null 2>&1; then echo "lint: 1 passed, 0 failed"
  else make -s lint 2>&1 | grep -E 'error|warning|style' | head -n 30
       echo "lint: 0 passed, 1 failed"; return 1; fi
}

part lint lint
part fuzz-replay replay
part fuzz-short env FUZZ_SECONDS=30 tests/fuzz-run.sh

echo
printf '%s\n' "${summary[@]}"
echo "$total_p passed, $total_f failed"
(( total_f == 0 ))
