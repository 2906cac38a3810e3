#!/usr/bin/env bash
# make bench-media: WordPress's upload work on the same files with four image editors, side by
# side in one run, in the running stack's WordPress (Debian's 6.1.9; needs `make up`):
#   witsper  Witsper_Image_Editor (libwitsper-media: one decode with shrink-on-load)
#   gd       WP_Image_Editor_GD        (WordPress's own class, php8.2-gd)
#   imagick  WP_Image_Editor_Imagick   (WordPress's own class, php8.2-imagick)
#   naive    the same library with WM_OPEN_FULL_DECODE: the whole image decoded for every size
# 1. "Upload work" = wp_create_image_subsizes() (the -scaled/-rotated original and every
#    default size) on a 12, 24 and 48 MP JPEG, a progressive JPEG, a rotated one (EXIF 6), a
#    PNG and a HEIC: CPU s (getrusage user+sys), wall s and peak RSS over the process's RSS
#    before the work (bench/media.php), each measurement in a fresh PHP process, editors
#    interleaved file by file, median of WITSPER_BENCH_RUNS runs (default 3).
# 2. The 20,000 x 2,000 px panorama with Witsper (must succeed).
# 3. `wp media regenerate --yes` on the same WITSPER_BENCH_REGEN (default 50) attachments
#    with each editor (the stack's WP-CLI), wall s.
# Writes the tables between the bench-media markers of docs/media.md, the bar chart
# docs/img/media-bench.png (gnuplot) and the raw results $WITSPER_VAR/bench-media.jsonl.
# Env: WITSPER_BENCH_EDITORS (default "witsper gd imagick naive"), WITSPER_BENCH_RUNS,
#      WITSPER_BENCH_REGEN, WITSPER_BENCH_DOC (default docs/media.md).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/load/lib.sh
. tests/load/lib.sh
load_stack_env
command -v jq >/dev/null || die "jq is not installed"
command -v gnuplot >/dev/null || die "gnuplot is not installed (apt-get install gnuplot-nox)"
# The side-by-side needs WordPress's Imagick editor for real: without the extension its
# column would be "n/a" and the comparison silently one editor short.
if [[ " ${WITSPER_BENCH_EDITORS:-imagick} " == *" imagick "* ]]; then
  php -r 'exit(extension_loaded("imagick") ? 0 : 1);' ||
    die "PHP's imagick extension is not installed (apt-get install php8.2-imagick), or set WITSPER_BENCH_EDITORS"
fi

EDITORS=${WITSPER_BENCH_EDITORS:-"witsper gd imagick naive"}
RUNS=${WITSPER_BENCH_RUNS:-3}
REGEN=${WITSPER_BENCH_REGEN:-50}
DOC=${WITSPER_BENCH_DOC:-docs/media.md}
PLOT=docs/img/media-bench.png
WP=$WITSPER_VAR/bin/wp
CORPUS=${WITSPER_MEDIA_CORPUS:-$REPO/../shared/corpus/media}
[[ -d $CORPUS ]] || die "no media corpus at $CORPUS (../shared/corpus/media)"
IMG=$WITSPER_VAR/media-images
tests/media/images.sh "$IMG" >/dev/null || die "cannot make the generated images"
OUT=$WITSPER_VAR/bench-media.jsonl
T=$(mktemp -d /tmp/witsper-bench-media.XXXXXX)
REGEN_IDS=
cleanup() {
  # shellcheck disable=SC2086  # a list of numbers
  [[ -z $REGEN_IDS ]] || "$WP" post delete $REGEN_IDS --force >/dev/null 2>&1 || true
  rm -rf "$T"
}
trap cleanup EXIT

# label|path: the files, in table order.
FILES=("12 MP JPEG|$IMG/jpeg-12mp.jpg"
       "24 MP JPEG|$IMG/jpeg-24mp.jpg"
       "48 MP JPEG|$IMG/jpeg-48mp.jpg"
       "24 MP progressive JPEG|$CORPUS/photos/craft-beer_24mp_progressive_noexif.jpg"
       "12 MP JPEG, EXIF 6|$CORPUS/photos/pixel-hdrplus_dog_12mp_orient6_xmp_icc.jpg"
       "3 MP PNG RGBA|$CORPUS/formats/png/rgba_blackbug_handwriting.png"
       "12 MP HEIC|$CORPUS/formats/heic/iphone7_IMG_2682.heic")

# measure EDITOR FILE: one fresh PHP process (the worker's memory_limit), its JSON line.
measure() {
  nice -n 10 php -d ffi.enable=true -d memory_limit=512M -d display_errors=stderr \
    -d error_reporting='E_ALL & ~E_DEPRECATED' \
    bench/media.php "$WITSPER_WP_ROOT" "$HOSTPORT" "$1" "$2" 2>>"$T/php.err" | tail -n 1
}

STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say "bench-media: editors $EDITORS, $RUNS runs, regenerate $REGEN; $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), load $LOAD0"
: >"$OUT"
for ((run = 1; run <= RUNS; run++)); do
  for entry in "${FILES[@]}"; do
    label=${entry%%|*} file=${entry#*|}
    for ed in $EDITORS; do
      line=$(measure "$ed" "$file") || true
      [[ -n $line ]] || line=$(jq -cn --arg e "$ed" --arg f "$(basename "$file")" \
        '{editor: $e, file: $f, status: "fail", message: "the PHP process printed nothing (see stderr)"}')
      jq -c --arg l "$label" --argjson r "$run" '. + {label: $l, run: $r}' <<<"$line" >>"$OUT"
      jq -r '"  run \(.run) \(.label) \(.editor): \(.status) cpu \(.cpu_s) s wall \(.wall_s) s rss +\(.rss_delta_mb) MB sizes \(.sizes) \(.message)"' <<<"$(tail -n 1 "$OUT")"
    done
  done
done

# The panorama: Witsper only.
pano=$(measure witsper "$IMG/pano-20000x2000.jpg" || true)
say "panorama 20000x2000: ${pano:-no output}"

# wp media regenerate on the same attachments, once per editor.
mapfile -t REGEN_SRC < <(for ((i = 0; i < REGEN; i++)); do
  f=("$CORPUS"/orientation/*.jpg); echo "${f[i % ${#f[@]}]}"; done)
regen_rows=()
if (( REGEN > 0 )); then
  cp "${REGEN_SRC[@]}" "$T/" 2>/dev/null || true
  mkdir -p "$T/regen"
  for ((i = 0; i < REGEN; i++)); do cp "${REGEN_SRC[i]}" "$T/regen/bench-$i.jpg"; done
  chmod -R a+rX "$T"
  # Imported without sizes, so every editor starts from the same state.
  REGEN_IDS=$(WITSPER_BENCH_EDITOR=none "$WP" --require="$REPO/bench/media-editors.php" media import "$T"/regen/*.jpg --porcelain 2>"$T/import.err" | tr '\n' ' ') || true
  n_ids=$(wc -w <<<"$REGEN_IDS")
  if (( n_ids != REGEN )); then
    cat "$T/import.err" >&2
    die "wp media import made $n_ids attachments, not $REGEN"
  fi
  for ed in $EDITORS; do
    s=$(date +%s.%N)
    # shellcheck disable=SC2086  # a list of numbers
    if WITSPER_BENCH_EDITOR=$ed nice -n 10 "$WP" --require="$REPO/bench/media-editors.php" media regenerate $REGEN_IDS --yes \
         >"$T/regen-$ed.log" 2>&1; then
      st=ok
    else
      st=fail
    fi
    e=$(date +%s.%N)
    secs=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.1f", b - a }')
    done_line=$(grep -E '^Success:|^Error:' "$T/regen-$ed.log" | tail -n 1)
    say "regenerate $REGEN with $ed: $st, $secs s ($done_line)"
    regen_rows+=("| $ed | $secs | $st: ${done_line:-see log} |")
  done
fi

# --- report ------------------------------------------------------------------------------------
# Medians per (label, editor); "n/a" when the editor cannot read the file, "fail" when any
# run failed.
jq -s -r --arg eds "$EDITORS" '
  def med: sort | .[(length - 1) / 2 | floor];
  group_by(.label + "\u0000" + .editor)
  | map({label: .[0].label, editor: .[0].editor, file: .[0].file,
         status: (if all(.status == "ok") then "ok" elif any(.status == "n/a") then "n/a" else "fail" end),
         cpu: (map(.cpu_s // empty) | med), wall: (map(.wall_s // empty) | med),
         rss: (map(.rss_delta_mb // empty) | med), sizes: (map(.sizes // 0) | max),
         message: (map(select(.status != "ok") | .message) | first // "")})
  | .[] | [.label, .editor, .status, (.cpu // ""), (.wall // ""), (.rss // ""), .sizes, .file, .message] | @tsv' \
  "$OUT" >"$T/medians.tsv"

cell() { awk -F'\t' -v l="$1" -v e="$2" -v c="$3" '$1 == l && $2 == e { if ($3 == "ok") print $c; else print $3; f = 1 } END { if (!f) print "-" }' "$T/medians.tsv"; }
{
  echo "<!-- bench-media:begin (generated by bench/media.sh: make bench-media) -->"
  echo "Run of $STARTED to $(date -u '+%H:%M UTC') on $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (the machine is shared);"
  echo "WordPress $(dpkg-query -W -f '${Version}' wordpress 2>/dev/null), PHP $(php -r 'echo PHP_VERSION;'), libvips $(vips --version 2>/dev/null | sed 's/^vips-//'), GD $(php -r 'echo gd_info()["GD Version"];'), ImageMagick $(php -r 'echo explode(" ", Imagick::getVersion()["versionString"])[1];' 2>/dev/null)."
  echo "Upload work = \`wp_create_image_subsizes()\` (the -scaled/-rotated original + every default size), median of $RUNS runs, each in a fresh PHP process (memory_limit 512M). CPU = user + system seconds of the process (all threads); peak RSS = VmHWM during the work over VmRSS before it (after WordPress and the editor's library are loaded)."
  echo
  printf '| file |'; for ed in $EDITORS; do printf ' %s CPU s | wall s | +MB |' "$ed"; done; echo
  printf '|---|'; for ed in $EDITORS; do printf -- '---|---|---|'; done; echo
  for entry in "${FILES[@]}"; do
    label=${entry%%|*}
    printf '| %s (%s) |' "$label" "$(basename "${entry#*|}")"
    for ed in $EDITORS; do
      printf ' %s | %s | %s |' "$(cell "$label" "$ed" 4)" "$(cell "$label" "$ed" 5)" "$(cell "$label" "$ed" 6)"
    done
    echo
  done
  echo
  echo "n/a: the editor cannot read the file (GD has no HEIC decoder). Failures, if any:"
  awk -F'\t' '$3 == "fail" { printf "- %s, %s: %s\n", $1, $2, $9 }' "$T/medians.tsv"
  echo
  echo "Panorama 20000x2000 px with Witsper: $(jq -r '"\(.status), CPU \(.cpu_s) s, wall \(.wall_s) s, +\(.rss_delta_mb) MB, \(.sizes) sizes (\(.message))"' <<<"${pano:-{\}}" 2>/dev/null || echo "no result")"
  echo
  if (( ${#regen_rows[@]} )); then
    echo "\`wp media regenerate --yes\` on the same $REGEN attachments (the corpus' 2.2 MP orientation photos, all 8 EXIF orientations), WP-CLI as the stack runs it:"
    echo
    echo "| editor | wall s | result |"
    echo "|---|---|---|"
    printf '%s\n' "${regen_rows[@]}"
    echo
  fi
  echo "Targets (issue 12), Witsper: 24 MP JPEG <= 0.6 s CPU and <= +60 MB: $(cell "24 MP JPEG" witsper 4) s, +$(cell "24 MP JPEG" witsper 6) MB; 48 MP <= 1.5 s and <= +100 MB: $(cell "48 MP JPEG" witsper 4) s, +$(cell "48 MP JPEG" witsper 6) MB."
  echo
  echo "![CPU seconds of the upload work per file and editor](img/media-bench.png)"
  echo "<!-- bench-media:end -->"
} >"$T/section.md"

# The bar chart: CPU s per file, one bar per editor (missing = n/a or failed).
{
  printf '"file"'; for ed in $EDITORS; do printf ' "%s"' "$ed"; done; echo
  for entry in "${FILES[@]}"; do
    label=${entry%%|*}
    printf '"%s"' "$label"
    for ed in $EDITORS; do v=$(cell "$label" "$ed" 4); [[ $v =~ ^[0-9.]+$ ]] || v=NaN; printf ' %s' "$v"; done
    echo
  done
} >"$T/cpu.dat"
mkdir -p "$(dirname "$PLOT")"
gnuplot <<EOF || die "gnuplot failed"
set terminal pngcairo size 1100,550 noenhanced
set output '$PLOT'
set title "WordPress upload work (wp_create_image_subsizes): CPU seconds, median of $RUNS ($(date -u +%F), $(nproc) CPUs)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set datafile missing 'NaN'
set ylabel 'CPU s (user + system)'
set yrange [0:*]
set grid ytics
set key top left
set xtics rotate by -20
plot for [i=2:$(( $(wc -w <<<"$EDITORS") + 1 ))] '$T/cpu.dat' using i:xtic(1) title columnheader(i)
EOF

# Into docs/media.md between the markers (the rest of the page is written by hand).
if [[ -f $DOC ]] && grep -q '<!-- bench-media:begin' "$DOC"; then
  awk -v sec="$T/section.md" '
    /<!-- bench-media:begin/ { while ((getline l < sec) > 0) print l; skip = 1; next }
    /<!-- bench-media:end -->/ { skip = 0; next }
    !skip { print }' "$DOC" >"$T/doc.md"
  cp "$T/doc.md" "$DOC"
else
  { [[ -f $DOC ]] && cat "$DOC" && echo; [[ -f $DOC ]] || printf '# Media: images through libvips\n\n'
    echo "## Benchmark (make bench-media)"; echo; cat "$T/section.md"; } >"$T/doc.md"
  cp "$T/doc.md" "$DOC"
fi
cat "$T/section.md"
say "bench-media: $DOC, $PLOT, raw results $OUT"
