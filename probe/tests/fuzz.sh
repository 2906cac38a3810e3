#!/usr/bin/env bash
# Runs the libFuzzer target for SECONDS (first argument). Works in a
# scratch corpus (seeded from fuzz/corpus, gitignored), so runs do not
# churn the repository. A crash is copied into fuzz/regressions/ (which
# `make check` replays) and fails the run.
# Last line: "fuzz: N passed, N failed (R runs in S s)".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
bin=build/fuzz_response
work=fuzz/corpus-work
art=build/fuzz-artifacts-$$ # per run: a long and a short run may overlap
mkdir -p "$work" "$art"
rm -f "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*
log=$(mktemp)
trap 'rm -rf "$log" "$art"' EXIT

rc=0
# -timeout: one input taking > 5 s is a bug (the parser is linear);
# -rss_limit_mb: memory must stay bounded whatever the input.
"$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=512 \
  -print_final_stats=1 -artifact_prefix="$art/" "$work" fuzz/corpus \
  >"$log" 2>&1 || rc=$?

runs=$(grep -aoE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -n 1 || true)
[[ -n $runs ]] || runs=$(grep -aE '^stat::number_of_executed_units' "$log" \
                          | grep -oE '[0-9]+$' | tail -n 1 || true)
found=0
for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
  [[ -e $f ]] || continue
  found=1
  sum=$(sha1sum "$f" | cut -c1-12)
  kind=$(basename "$f" | cut -d- -f1)
  cp "$f" "fuzz/regressions/regress-${kind}-$sum"
  echo "fuzz: $kind kept as fuzz/regressions/regress-${kind}-$sum (commit it)"
done
if (( rc != 0 || found )); then
  tail -n 40 "$log"
  echo "fuzz: 0 passed, 1 failed (${runs:-?} runs in ${seconds} s)"
  exit 1
fi
echo "fuzz: 1 passed, 0 failed (${runs:-?} runs in ${seconds} s)"
