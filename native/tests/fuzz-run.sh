#!/usr/bin/env bash
# Runs build/fuzz_parse for FUZZ_SECONDS on a work corpus seeded from the
# shared corpus and fuzz/regressions/, after replaying every regression.
# A crash is copied to fuzz/regressions/regression-<hash> (kept in git,
# replayed by `make check`) and fails the run.
# Prints "fuzz: N passed, N failed" (1 part: the run itself).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-600}
corpus=${WITSPER_CORPUS:-$(cd .. && pwd)/tests/corpus/blocks}
work=fuzz/corpus-work art=build/fuzz-artifacts
mkdir -p "$work" "$art"
cp -n "$corpus"/*.html "$work"/ 2>/dev/null || true
cp -n fuzz/regressions/* "$work"/ 2>/dev/null || true
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
# -rss_limit_mb guards the machine; -timeout flags a slow input (linear
# parser: any input of <= 16 KB taking 10 s is a bug).
build/fuzz_parse -max_total_time="$secs" -max_len=16384 \
  -dict=fuzz/witsper.dict -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$art/" -print_final_stats=1 "$work" >"$log" 2>&1 || rc=$?
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
shopt -s nullglob
found=0
for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
  h=$(sha1sum "$f" | cut -c1-16)
  cp "$f" "fuzz/regressions/regression-$h"
  echo "fuzz: kept $f as fuzz/regressions/regression-$h"
  rm -f "$f"
  found=1
done
if (( rc != 0 || found )); then
  tail -n 40 "$log"
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi
echo "fuzz: 1 passed, 0 failed"
