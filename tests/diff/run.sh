#!/usr/bin/env bash
# Differential tests (make test-diff): Witsper_Block_Parser through FFI against the installed
# WordPress's WP_Block_Parser, serialize() equality, in both FFI modes (true, preload).
# Sub-suites: spec (npm's shared spec tests), wordpress (markup WordPress ships), corpus,
# generated (grammar-aware random), mutated, limits (PCRE limits), regressions; plus a
# self-check that proves the comparison catches deliberately wrong parsers.
# Ends with "N passed, N failed".
#
# Env: DIFF_SEED, DIFF_COUNT (documents per random sub-suite, default 10000),
#      DIFF_MODES (default "true preload"), DIFF_TIMEOUT (seconds per mode, default 170),
#      DIFF_PHP_FLAGS (extra php -d flags for every run).
# Long mode, not in CI: DIFF_COUNT=200000 DIFF_TIMEOUT=3600 tests/diff/run.sh
# Exit: 0 no difference, 1 any difference or setup failure.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
var=${WITSPER_VAR:-$repo/var}
export WITSPER_VAR=$var
modes=${DIFF_MODES:-true preload}
timeout_s=${DIFF_TIMEOUT:-170}
php_flags=(-d memory_limit=4G -d display_errors=stderr)
# Extra php flags, e.g. DIFF_PHP_FLAGS="-d pcre.backtrack_limit=50000" (docs/diff.md).
if [[ -n ${DIFF_PHP_FLAGS:-} ]]; then read -r -a extra <<<"$DIFF_PHP_FLAGS"; php_flags+=("${extra[@]}"); fi

mkdir -p "$var/diff" "$var/diff-failures"
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

total_pass=0 total_fail=0
declare -a summary=()

count() { # count LABEL LOGFILE RC: adds the RESULT line of a run.php log to the totals
  local label=$1 log=$2 rc=$3 line p=0 f=0 u=0
  line=$(grep -a '^RESULT ' "$log" | tail -n 1 || true)
  if [[ $line =~ passed=([0-9]+)\ failed=([0-9]+)\ unsupported=([0-9]+) ]]; then
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} u=${BASH_REMATCH[3]}
  fi
  # No RESULT line (crash, timeout) or a non-zero exit without a counted failure: a failure.
  if [[ -z $line ]] || (( rc != 0 && f == 0 )); then f=$((f + 1)); fi
  total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
  summary+=("$(printf '%-24s %6d passed, %4d failed, %4d unsupported (exit %d)' "$label" "$p" "$f" "$u" "$rc")")
}

# 1. Inputs of the spec sub-suite: npm's @wordpress/block-serialization-spec-parser, pinned by
#    package-lock.json. Bounded retries: the registry is the only network we use.
if [[ ! -f tests/diff/node_modules/@wordpress/block-serialization-spec-parser/shared-tests.js ]] \
   || [[ tests/diff/package-lock.json -nt tests/diff/node_modules/.package-lock.json ]]; then
  for try in 1 2 3; do
    if (cd tests/diff && npm ci --no-audit --no-fund --loglevel=error); then break; fi
    if (( try == 3 )); then echo "npm ci failed 3 times"; else sleep $((try * 5)); fi
  done
fi
spec_json="$var/diff/spec-tests.json"
rm -f "$spec_json"
# A failed extraction leaves no JSON: the spec sub-suite then fails loudly in run.php.
node tests/diff/extract-spec.js "$spec_json" || echo "FAIL extract-spec.js: the spec sub-suite has no inputs"

# 2. The library and the PHP-mode helper come from the other parts; build the library if a
#    fresh clone runs this suite alone.
if [[ ! -e native/build/libwitsper.so.1 ]]; then
  make -s --no-print-directory lib || echo "FAIL make lib"
fi

# 3. Self-check: the oracle against itself passes, every deliberately wrong parser is caught.
echo "=== self-check (the comparison catches known-wrong parsers; no FFI)"
rc=0
timeout "$timeout_s" php "${php_flags[@]}" tests/diff/run.php --selfcheck 2>&1 \
  | tee "$logdir/selfcheck.log" || rc=$?
count selfcheck "$logdir/selfcheck.log" "$rc"

# 4. The native parser in each FFI mode.
for mode in $modes; do
  echo "=== FFI mode: $mode"
  rc=0
  if ! mode_args=$(tests/lib/php-mode.sh "$mode"); then
    echo "FAIL tests/lib/php-mode.sh $mode failed"
    count "$mode" /dev/null 1
    continue
  fi
  read -r -a mode_flags <<<"$mode_args"
  progress=$logdir/progress-$mode
  timeout "$timeout_s" php "${mode_flags[@]}" "${php_flags[@]}" tests/diff/run.php --mode="$mode" \
    --progress="$progress" 2>&1 | tee "$logdir/$mode.log" || rc=$?
  if [[ -s $progress ]]; then
    # The process died inside one input (crash or timeout): name it and save it.
    IFS=$'\t' read -r suite name <"$progress" || true
    name=${name%"${name##*[! ]}"}  # run.php pads the record with spaces
    out="$var/diff-failures/$mode-died-$suite-${name//[^A-Za-z0-9._-]/_}.html"
    echo "FAIL [$mode] php exited with status $rc while parsing $suite '$name'"
    php "${php_flags[@]}" tests/diff/run.php --dump="$name" --out="$out" || true
    echo "    input: $out   (reproduce: php \$(tests/lib/php-mode.sh $mode) tests/diff/run.php --mode=$mode --file=$out)"
    (( rc != 0 )) || rc=1
  fi
  count "$mode" "$logdir/$mode.log" "$rc"
done

# 5. The version matrix: the same comparison against WordPress's own parser of every version
#    in tests/diff/wp-block-parser/ (a copy of ../shared/reference/wp-block-parser), in both
#    FFI modes, DIFF_MATRIX_COUNT documents per random sub-suite (default 1000; the stack's own
#    version ran the full count above). Versions whose parser classes are token for token the
#    same as one already run (same Witsper_Core_Parser fingerprint) are covered by it.
#    Versions with parse_with_options() (7.2+) are also compared through it with each option
#    on and off. Then the plugin's list of verified parsers must be exactly what ran here.
matrix_count=${DIFF_MATRIX_COUNT:-1000}
declare -A ran_fp=()
verified_pairs=()
for ref in tests/diff/wp-block-parser/*/; do
  ref=${ref%/}; version=${ref##*/}
  if ! fp=$(php tests/diff/fingerprint.php "$ref"); then
    echo "FAIL no fingerprint for $ref"; count "$version" /dev/null 1; continue
  fi
  verified_pairs+=("$fp=$version")
  if [[ -n ${ran_fp[$fp]:-} ]]; then
    echo "=== WordPress $version: the same parser as ${ran_fp[$fp]} (fingerprint $fp), covered by that run"
    continue
  fi
  ran_fp[$fp]=$version
  option_sets=('')
  grep -q 'function parse_with_options' "$ref/class-wp-block-parser.php" &&
    option_sets+=('{"preserve_empty_object_attributes":true}' '{"preserve_empty_object_attributes":false}')
  for mode in $modes; do
    mode_args=$(tests/lib/php-mode.sh "$mode") || { echo "FAIL tests/lib/php-mode.sh $mode failed"; count "$version/$mode" /dev/null 1; continue; }
    read -r -a mode_flags <<<"$mode_args"
    for options in "${option_sets[@]}"; do
      label="$version/$mode${options:+ $options}"
      echo "=== WordPress $label (fingerprint $fp)"
      rc=0
      WITSPER_DIFF_REFERENCE=$repo/$ref WITSPER_DIFF_OPTIONS=$options DIFF_COUNT=$matrix_count \
        timeout "$timeout_s" php "${mode_flags[@]}" "${php_flags[@]}" tests/diff/run.php --mode="$mode" \
        >"$logdir/matrix.log" 2>&1 || rc=$?
      grep -aE '^(FAIL|RESULT|run\.php|\[[a-z]+\] oracle)' "$logdir/matrix.log" || true
      count "$label" "$logdir/matrix.log" "$rc"
    done
  done
done
echo "=== the plugin's extended self-test set (selftest/extended.ser) is current"
rc=0
php tests/diff/make-selftest-set.php --check >"$logdir/selftest-set.log" 2>&1 || rc=$?
cat "$logdir/selftest-set.log"
count "selftest-set" "$logdir/selftest-set.log" "$rc"
echo "=== verified set: Witsper_Core_Parser::VERIFIED against the versions above"
rc=0
php tests/diff/fingerprint.php --check "${verified_pairs[@]}" >"$logdir/verified.log" 2>&1 || rc=$?
cat "$logdir/verified.log"
count "verified-set" "$logdir/verified.log" "$rc"

echo
echo "=== test-diff summary (seed ${DIFF_SEED:-20261124}, DIFF_COUNT ${DIFF_COUNT:-10000})"
printf '%s\n' "${summary[@]}"
if (( total_fail )); then
  echo "inputs of the failures: $var/diff-failures/ (see docs/diff.md to reproduce one)"
fi
echo "$total_pass passed, $total_fail failed"
(( total_fail == 0 ))
