#!/usr/bin/env bash
# make test-media: Witsper_Image_Editor against WordPress's WP_Image_Editor_GD on >= 200
# images (generated + ../shared/corpus/media), through WordPress's own upload work
# (wp_create_image_subsizes) in the running stack's WordPress (tests/media/README.md).
# Ends with "N passed, N failed, N skipped" (tests/lib/harness.sh); the table goes to
# var/test-logs/media-equivalence.md.
#
# Env: MEDIA_SEED (generator seed, default 12), MEDIA_SIDES (default "gd,witsper"),
#      MEDIA_JOBS (parallel runners, default 2), MEDIA_TIMEOUT (seconds per runner, 600),
#      MEDIA_LIMIT (only the first N images of the list: development),
#      MEDIA_ONLY (only the list lines matching this extended regex: development),
#      WITSPER_WP_ROOT/WITSPER_URL (override the stack's stack.env, as tests/phpunit).
set -Eeuo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=tests/lib/harness.sh
. tests/lib/harness.sh

var=${WITSPER_VAR:-$root/var}
seed=${MEDIA_SEED:-12}
sides=${MEDIA_SIDES:-gd,witsper}
jobs=${MEDIA_JOBS:-2}
corpus=$root/../shared/corpus/media
md=$root/var/test-logs/media-equivalence.md
work=$var/media-test
started=$SECONDS

if [[ -z ${WITSPER_WP_ROOT:-} ]]; then
  # shellcheck source=stack/env.sh
  . stack/env.sh
  if ! stack_env_load "$var/stack.env"; then
    must_run "WordPress of the stack" "no $var/stack.env: run 'make up' first (or set WITSPER_WP_ROOT)"
    summary
    exit 1
  fi
fi
export WITSPER_WP_ROOT WITSPER_URL

# 1. The C tools.
if ! nice -n 10 make -s --no-print-directory -C tests/media >"$var/media-build.log" 2>&1; then
  sed 's/^/  | /' "$var/media-build.log"
  must_run "build tests/media (gen, ssim)" "make -C tests/media failed"
  summary
  exit 1
fi

# The editor's library (the plugin finds media/build/ as the stack does); a fresh clone
# that runs this suite alone builds it.
if [[ ! -e media/build/libwitsper-media.so.1 ]]; then
  nice -n 10 make -s --no-print-directory media >"$var/media-lib-build.log" 2>&1 ||
    fail "make media failed ($var/media-lib-build.log): the Witsper side will be missing"
fi

# 2. Generated images: cached per generator source, seed and libvips version (they only
#    change with those); a fresh clone generates them (~40 s CPU).
key=$(cat tests/media/gen.c <(echo "$seed") <(vips --version 2>/dev/null || true) | sha256sum | cut -c1-16)
gen_dir=$var/media-gen/$key
if [[ ! -s $gen_dir/manifest.tsv ]]; then
  rm -rf "$var/media-gen"
  mkdir -p "$gen_dir"
  if ! nice -n 10 tests/media/build/gen "$gen_dir" "$seed" >"$var/media-gen.log" 2>&1; then
    rm -f "$gen_dir/manifest.tsv"
  fi
fi
say "$(grep -h '^gen: ' "$var/media-gen.log" 2>/dev/null || true)"
n_gen=$(wc -l <"$gen_dir/manifest.tsv" 2>/dev/null || echo 0)
check "generator: $n_gen images written (seed $seed, $gen_dir)" test -s "$gen_dir/manifest.tsv"

# 3. The list: generated + every usable corpus file. Not used here: corrupt/ (nothing to
#    compare; the safety tests take them) and the dimensions/stress_* bombs (above the
#    100 MP limit, where GD exhausts memory; same).
mkdir -p "$work"
list=$work/list.tsv
awk -F'\t' -v d="$gen_dir" '{print d "/" $1 "\t" $2 "\t" $3}' "$gen_dir/manifest.tsv" >"$list" 2>/dev/null || : >"$list"
n_corpus=0
if [[ -d $corpus ]]; then
  while IFS= read -r f; do
    case $f in
      */corrupt/*|*/dimensions/stress_*) say "not used here: ${f#"$corpus"/} (corrupt or above the pixel limit: safety tests)"; continue ;;
    esac
    printf '%s\tcorpus\t%s\n' "$f" "${f#"$corpus"/}" >>"$list"
    n_corpus=$((n_corpus + 1))
  done < <(find "$corpus" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.gif' \
             -o -iname '*.webp' -o -iname '*.heic' -o -iname '*.heif' -o -iname '*.avif' \) | LC_ALL=C sort)
  check "corpus: $n_corpus usable files in $corpus" test "$n_corpus" -gt 0
else
  fail "corpus: $corpus is missing (CI has it at ../shared): only generated images compared"
fi
if [[ -n ${MEDIA_ONLY:-} ]]; then
  grep -E -- "$MEDIA_ONLY" "$list" >"$list.tmp" || true
  mv "$list.tmp" "$list"
fi
if [[ -n ${MEDIA_LIMIT:-} ]]; then
  head -n "$MEDIA_LIMIT" "$list" >"$list.tmp" && mv "$list.tmp" "$list"
fi
n_all=$(wc -l <"$list")
if [[ -z ${MEDIA_LIMIT:-}${MEDIA_ONLY:-} ]]; then
  check "at least 200 images to compare (got $n_all: $n_gen generated, $n_corpus corpus)" test "$n_all" -ge 200
fi

# 4. The runners: the list dealt round-robin to MEDIA_JOBS PHP processes (FFI mode true).
read -r -a php_flags <<<"$(tests/lib/php-mode.sh true)"
php_flags+=(-d memory_limit=-1 -d display_errors=stderr)
rm -f "$work"/shard-* "$work"/result-*.jsonl
rm -rf "$work/out"
pids=()
for ((i = 0; i < jobs; i++)); do
  awk -v n="$jobs" -v i="$i" 'NR % n == i' "$list" >"$work/shard-$i.tsv"
  nice -n 10 timeout "${MEDIA_TIMEOUT:-600}" php "${php_flags[@]}" tests/media/run.php "$work/shard-$i.tsv" \
    "$work/result-$i.jsonl" "$work/out/$i" "$root/tests/media/build/ssim" "$sides" \
    >"$work/runner-$i.log" 2>&1 &
  pids+=($!)
done
for ((i = 0; i < jobs; i++)); do
  rc=0
  wait "${pids[$i]}" || rc=$?
  if (( rc != 0 )); then
    sed -n '1,40s/^/  | /p' "$work/runner-$i.log"
    fail "runner $i exited $rc (log $work/runner-$i.log)"
  fi
done

say "$(grep -h '^runner CPU' "$work"/runner-*.log 2>/dev/null | tr '\n' ';' || true)"

# 5. Judge and tabulate.
rc=0
php tests/media/report.php "$list" "$md" "$sides" "$work"/result-*.jsonl >"$work/report.txt" 2>&1 || rc=$?
while IFS=$'\t' read -r kind what why; do
  case $kind in
    PASS) pass "$what" ;;
    FAIL) fail "$what" ;;
    SKIP) skip "$what" "$why" ;;
    SAY)  say "$what" ;;
    *)    say "$kind${what:+ $what}" ;;
  esac
done <"$work/report.txt"
check "report.php ran (exit $rc)" test "$rc" -eq 0
say "table: $md; run time $((SECONDS - started)) s"
summary
