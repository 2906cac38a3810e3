#!/usr/bin/env bash
# PHPUnit tests of the witsper-ffi plugin against the running stack's WordPress, run three
# times: FFI mode true, preload, and FFI off (PHP flags from tests/lib/php-mode.sh). Ends
# with "N passed, N failed" summed over the three runs; exits non-zero on any failure.
# The tests roll back their database changes and delete the posts they create, so the
# stack is left as it was found.
#
# Env: WITSPER_WP_ROOT/WITSPER_URL override var/stack.env (develop against another
# WordPress); MODES="true off" runs a subset; PHPUNIT_ARGS is passed to phpunit.
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

fail_out() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

env_file=${WITSPER_VAR:-$root/var}/stack.env
if [[ -z ${WITSPER_WP_ROOT:-} ]]; then
  # shellcheck source=stack/env.sh
  . stack/env.sh
  stack_env_load "$env_file" || fail_out "no $env_file: run 'make up' first (or set WITSPER_WP_ROOT)"
fi
[[ -f ${WITSPER_WP_ROOT:-}/wp-load.php ]] || fail_out "WITSPER_WP_ROOT=${WITSPER_WP_ROOT:-} has no wp-load.php"
command -v phpunit >/dev/null || fail_out "phpunit not installed (apt-get install phpunit)"
phpunit_bin=$(command -v phpunit)
export WITSPER_WP_ROOT WITSPER_URL

# Whatever a killed or crashed run left behind (render posts, multisite tables) goes.
cleanup() {
  local out
  out=$(timeout 60 php tests/phpunit/helpers/cleanup.php 2>/dev/null | grep -a '^WITSPER-PROBE-JSON' || true)
  [[ $out == *'"removed":0'* ]] || echo "cleanup: ${out:-cleanup.php failed}" >&2
}
trap cleanup EXIT

logdir=${WITSPER_VAR:-$root/var}/test-logs/phpunit
mkdir -p "$logdir"

read -r -a modes <<<"${MODES:-true preload off}"
total_pass=0 total_fail=0
declare -a report=()

for mode in "${modes[@]}"; do
  echo "=== phpunit, FFI mode $mode"
  junit=$logdir/$mode.xml
  rm -f "$junit"
  if ! args=$(tests/lib/php-mode.sh "$mode"); then
    echo "tests/lib/php-mode.sh $mode failed: mode not runnable"
    total_fail=$((total_fail + 1)); report+=("$mode: mode not runnable"); continue
  fi
  rc=0
  # Bounded: the whole suite takes ~15 s per mode plus ~30 s of image work (MediaEditorTest,
  # GD included); 180 s means something hangs.
  # shellcheck disable=SC2086  # $args is a list of -d flags by construction
  WITSPER_TEST_MODE=$mode WITSPER_PHP_ARGS="$args" \
    timeout -k 5 180 php $args "$phpunit_bin" -c tests/phpunit/phpunit.xml.dist \
      --log-junit "$junit" ${PHPUNIT_ARGS:-} 2>&1 | tee "$logdir/$mode.log" || rc=$?
  # Counts from PHPUnit's own JUnit report: failed = failures + errors + warnings,
  # passed = tests - failed - skipped.
  # shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's, not the shell's
  if counts=$(php -r '
      $x = @simplexml_load_file($argv[1]);
      if (!$x || !isset($x->testsuite[0])) exit(1);
      $s = $x->testsuite[0];
      $t = (int) $s["tests"];
      $f = (int) $s["failures"] + (int) $s["errors"] + (int) $s["warnings"];
      $k = (int) $s["skipped"];
      echo ($t - $f - $k), " ", $f, " ", $k;' "$junit"); then
    read -r p f k <<<"$counts"
  else
    echo "no JUnit report from the $mode run (crash or timeout, exit $rc)"
    p=0 f=0 k=0
  fi
  # A run that failed without a counted failure still counts as one.
  if (( rc != 0 && f == 0 )); then f=1; fi
  total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
  report+=("$(printf '%-8s %3d passed, %d failed, %d skipped (exit %d)' "$mode" "$p" "$f" "$k" "$rc")")
done

# Clean up now rather than on exit, so the summary stays the last line.
cleanup
trap - EXIT

echo
echo "=== phpunit summary"
printf '%s\n' "${report[@]}"
echo "$total_pass passed, $total_fail failed"
(( total_fail == 0 ))
