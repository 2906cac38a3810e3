# shellcheck shell=bash
# The one test protocol of the shell suites (sourced, never run):
#   pass "what"            one PASS line
#   fail "what"            one FAIL line
#   skip "what" "why"      one SKIP line; a skip always says why. A suite decides itself
#                          whether a skip is allowed (see require_or_skip).
#   check "what" CMD...    PASS or FAIL from a command's exit status
#   summary                "N passed, N failed, N skipped" (the line tests/run-all.sh reads);
#                          returns non-zero when anything failed
# A check that must run on this machine and cannot is a failure, not a skip: use
# `must_run "what" "why"` for that.
T_PASS=${T_PASS:-0} T_FAIL=${T_FAIL:-0} T_SKIP=${T_SKIP:-0}

say()  { printf '%s\n' "$*"; }
pass() { T_PASS=$((T_PASS + 1)); printf 'PASS  %s\n' "$*"; }
fail() { T_FAIL=$((T_FAIL + 1)); printf 'FAIL  %s\n' "$*"; }
skip() { T_SKIP=$((T_SKIP + 1)); printf 'SKIP  %s (%s)\n' "$1" "${2:?skip needs a reason}"; }
must_run() { fail "$1: could not run (${2:?})"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
summary() {
  echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
  (( T_FAIL == 0 ))
}
# part "what" CMD...       runs a test program that prints its own "N passed, N failed[,
#                          N skipped]" line (a C suite on tests/lib/check.h, a sub-suite)
#                          and adds its counts; one that failed without counting a
#                          failure, or printed no count, adds one failure.
part() {
  local what=$1 rc=0 line p=0 f=0 k=0 log
  shift
  log=$(mktemp)
  say "--- $what"
  "$@" 2>&1 | tee "$log" || rc=$?
  line=$(grep -aE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  rm -f "$log"
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
  fi
  [[ $line =~ ([0-9]+)\ skipped ]] && k=${BASH_REMATCH[1]}
  if (( rc != 0 && f == 0 )) || [[ -z $line ]]; then
    f=$((f + 1))
    printf 'FAIL  %s: exit %d, %s\n' "$what" "$rc" "${line:-no count printed}"
  fi
  T_PASS=$((T_PASS + p)) T_FAIL=$((T_FAIL + f)) T_SKIP=$((T_SKIP + k))
}
