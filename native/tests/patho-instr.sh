#!/usr/bin/env bash
# Linearity of the pathological cases judged on instructions, not time: each case of
# build/patho is parsed once at n and once at 2n units under callgrind, which counts only
# the parse (patho --count starts and stops collection around witsper_parse_blocks).
# Instruction counts are the same on every machine and under any load, so this check
# fails only when the work really grows faster than the input: linear work gives x2.0,
# quadratic x4. n is a tenth of patho's own size (callgrind runs ~50x slower; exact
# counts need no large input). Ends with "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind missing (apt-get install valgrind)"; echo "0 passed, 1 failed"; exit 1; }

MAX_RATIO=2.3   # linear work plus a fixed part: 2.0 .. 2.1 measured
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# instructions K N -> the parse's instruction count (callgrind "totals:")
instructions() {
  local out=$tmp/cg.$1.$2
  valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
    --callgrind-out-file="$out" build/patho --count "$1" "$2" >/dev/null 2>"$tmp/err" \
    || { cat "$tmp/err" >&2; return 1; }
  awk '/^totals:/ {print $2}' "$out"
}

while read -r k n name; do
  n=$(( n / 10 ))
  if i1=$(instructions "$k" "$n") && i2=$(instructions "$k" $((2 * n))) && [[ -n $i1 && -n $i2 ]]; then
    ratio=$(awk -v a="$i1" -v b="$i2" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
    if awk -v r="$ratio" -v m="$MAX_RATIO" -v a="$i1" 'BEGIN { exit !(a > 0 && r <= m) }'; then
      pass=$((pass + 1)); verdict="ok  "
    else
      fail=$((fail + 1)); verdict="FAIL"
    fi
    printf '%s %-38s %12d -> %12d instructions (n=%d -> 2n) x%s\n' "$verdict" "$name" "$i1" "$i2" "$n" "$ratio"
  else
    fail=$((fail + 1)); echo "FAIL $name: callgrind or the parse failed"
  fi
done < <(build/patho --list)

echo "pathological-instructions: $pass passed, $fail failed"
(( fail == 0 ))
