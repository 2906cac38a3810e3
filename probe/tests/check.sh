#!/usr/bin/env bash
# The test-probe suite (offline, < 1.5 min): unit tests (gcc build and
# ASan/UBSan build), a -Werror build with the other compiler, CLI contract
# checks, replay of every fuzz regression and seed input, a short fuzz run.
# Ends with "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count() { # adds the "N passed, N failed" of a log to the totals
  local line
  line=$(grep -aE '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1 || true)
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
  else
    bad "$2 printed no count"
  fi
}

echo "--- unit tests"
rc=0; build/test_probe >"$tmp/unit" 2>&1 || rc=$?
cat "$tmp/unit"; count "$tmp/unit" "unit tests"
(( rc == 0 )) || grep -q ' [1-9][0-9]* failed' "$tmp/unit" || bad "unit tests exit $rc"

echo "--- unit tests under ASan+UBSan"
if build/test_probe_asan >"$tmp/asan" 2>&1; then ok
else tail -n 30 "$tmp/asan"; bad "ASan/UBSan run"; fi

echo "--- unit tests under valgrind (leaks, uninitialised reads)"
if command -v valgrind >/dev/null; then
  if valgrind -q --leak-check=full --errors-for-leak-kinds=all \
       --trace-children=no --error-exitcode=9 build/test_probe \
       >"$tmp/vg" 2>&1; then ok
  else tail -n 30 "$tmp/vg"; bad "valgrind run"; fi
else
  bad "valgrind is installed (CI installs it)"
fi

echo "--- -Werror build with the other compiler"
other=clang; [[ $(basename "${CC:-cc}") == clang* ]] && other=gcc
if $other -std=c11 -D_XOPEN_SOURCE=700 -Wall -Wextra -Werror -pedantic \
     -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
     -O2 -Isrc -o "$tmp/fpm-probe" src/*.c 2>"$tmp/cc"; then ok
else cat "$tmp/cc"; bad "$other build"; fi

echo "--- command line contract"
probe=build/fpm-probe
expect_rc() { # expected-rc description command...
  local want=$1 what=$2 rc=0; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if (( rc == want )); then ok; else
    bad "$what: exit $rc, want $want"; cat "$tmp/out" "$tmp/err"; fi
}
expect_rc 0 "--help" $probe --help
# shellcheck disable=SC2015  # ok only counts and prints: it cannot fail
grep -q '^Usage: fpm-probe' "$tmp/out" && ok || bad "--help prints Usage"
expect_rc 3 "no command" $probe
expect_rc 3 "unknown option" $probe ping --nope
expect_rc 3 "bad port" $probe status --port 70000
expect_rc 3 "request without path" $probe request
# port 1 on loopback: nothing listens there; refused is "dead"
expect_rc 1 "refused ping" $probe ping --port 1
# shellcheck disable=SC2015  # ok only counts and prints: it cannot fail
grep -q '^red: ping 127.0.0.1:1 /ping: connect: Connection refused' \
  "$tmp/err" && ok || bad "refused message"
expect_rc 1 "refused status" $probe status --port 1
expect_rc 1 "missing socket" $probe ping --socket "$tmp/none.sock"
expect_rc 1 "refused request" $probe request /x.php --port 1
expect_rc 1 "advise on empty /proc" $probe advise --proc "$tmp"

echo "--- fuzz regressions and seed corpus replay"
shopt -s nullglob
inputs=(fuzz/regressions/* fuzz/corpus/*)
for f in "${inputs[@]}"; do
  if build/fuzz_response "$f" >"$tmp/replay" 2>&1; then ok
  else tail -n 20 "$tmp/replay"; bad "replay $f"; fi
done

echo "--- fuzz (${FUZZ_SECONDS:-20} s)"
rc=0; tests/fuzz.sh "${FUZZ_SECONDS:-20}" >"$tmp/fuzz" 2>&1 || rc=$?
tail -n 45 "$tmp/fuzz"
count "$tmp/fuzz" "fuzz"

echo "$pass passed, $fail failed"
(( fail == 0 ))
