#!/usr/bin/env bash
# make test-media-live: real uploads through HTTP on the running stack (`make up`), in both
# FFI modes, the way WordPress's own clients upload (issue 12):
#   REST   POST /wp-json/wp/v2/media (cookie login + X-WP-Nonce, as the block editor)
#   async  POST /wp-admin/async-upload.php (cookie login + the media form's nonce, as the
#          media library's uploader)
# Per FFI mode (php-fpm restarted with pm.max_requests=0, so a leak shows instead of being
# recycled):
#   0. page views (home, a post, the health route, a search) map nothing of the media library;
#   1. uploads of a 12 MP JPEG, an EXIF-6 phone photo, a PNG with alpha and a HEIC through
#      both clients: 2xx, every default size WordPress expects (wp_get_missing_image_subsizes()
#      empty), every file on disk with the right content type, made by Witsper_Image_Editor
#      (the editor WordPress chose, reported by the suite's must-use plugin, and the worker
#      that answered has libwitsper-media mapped; no size carries GD's encoder comment);
#   2. a 24 MP JPEG upload request (REST): median wall time of 3, target <= 2 s;
#   3. 4 concurrent 48 MP JPEG uploads: 0 non-2xx, 0 crashed workers, all sizes;
#   4. reliability: N uploads at 2 connections, 5% corrupt files and decompression bombs
#      (../shared/corpus/media/corrupt and dimensions/): the good ones 2xx with all sizes,
#      the bad ones a 4xx/5xx JSON error with a message, no PHP fatal error in the log,
#      0 crashed workers (stack/fpm-exits.php with the master's kill() calls traced), worker
#      RSS growth < 5 MB per 100 uploads (same pids, after the first 10%, at least 60, as
#      warm-up; judged with --soak, printed otherwise), and
#      the php-fpm master never maps libvips or libwitsper-media and never started libvips
#      (wm_init_pid, reported by the must-use plugin for every upload, is the worker's pid).
# Usage: tests/media/live.sh [--soak] [--n N] [--modes "true preload"]
#   default N = 200 per mode (WITSPER_MEDIA_LIVE_N); --soak (`make soak-media`): N = 1000.
# The issue asks 1,000 uploads with 50 bad ones; on the 2-core CI machine that takes longer
# than a suite may (the suite prints its rate and the time 1,000 would take), so `make test`
# runs N = 200 with 10 bad ones and `make soak-media` runs the 1,000.
# The trap restores the stack's FFI mode and pm settings (stack.env), removes the must-use
# plugin and deletes every attachment the suite created.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/load/lib.sh
. tests/load/lib.sh

N=${WITSPER_MEDIA_LIVE_N:-200}
MODES="true preload"
KIND=suite
while (( $# )); do
  case $1 in
    --soak) N=1000; KIND=soak;;
    --n) N=$2; shift;;
    --modes) MODES=$2; shift;;
    -h|--help) sed -n '2,30p' "$0"; exit 0;;
    *) echo "unknown argument: $1" >&2; exit 3;;
  esac
  shift
done
if ! [[ $N =~ ^[0-9]+$ ]] || (( N < 20 )); then die "N must be a number >= 20, got '$N'"; fi

load_stack_env
command -v jq >/dev/null || die "jq is not installed"
REL_TMP=$(mktemp -d /tmp/witsper-media-live.XXXXXX)
TRACE_KILLS=1   # the master's kill() calls, for stack/fpm-exits.php (tests/load/lib.sh)
WP=$WITSPER_VAR/bin/wp
[[ -x $WP ]] || die "no WP-CLI at $WP (make up writes it)"
CORPUS=${WITSPER_MEDIA_CORPUS:-$REPO/../shared/corpus/media}
[[ -d $CORPUS ]] || die "no media corpus at $CORPUS (../shared/corpus/media)"
IMG=$WITSPER_VAR/media-images
tests/media/images.sh "$IMG" >/dev/null || die "cannot make the generated images"
PROBE_DST=$WITSPER_WP_ROOT/wp-content/mu-plugins/witsper-media-live-probe.php
IDS=$REL_TMP/ids   # every attachment the suite created (the trap deletes them)
: >"$IDS"
RESTORED=0

delete_created() {
  local ids
  ids=$(sort -un "$IDS" | tr '\n' ' ')
  [[ -n ${ids// } ]] || return 0
  # shellcheck disable=SC2086  # a list of numbers
  "$WP" post delete $ids --force >/dev/null 2>&1 || echo "WARNING: could not delete attachments $ids" >&2
  : >"$IDS"
}
restore() {
  local rc=$?
  (( RESTORED )) && return
  RESTORED=1
  trap - EXIT INT TERM
  echo "--- restoring the stack (FFI mode $ORIG_FFI_MODE, its pm settings), deleting the test's uploads"
  rm -f "$PROBE_DST"
  delete_created
  TRACE_KILLS=0
  fpm_restart || echo "WARNING: php-fpm restart with the stack's settings failed" >&2
  kill_trace_stop
  rm -rf "$REL_TMP"
  exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT TERM

[[ -d $(dirname "$PROBE_DST") ]] || die "no must-use plugin directory $(dirname "$PROBE_DST")"
cp tests/media/witsper-media-live-probe.php "$PROBE_DST"
chmod 644 "$PROBE_DST"

# --- helpers ---------------------------------------------------------------------------------
# upload VIA CONC LIST OUT: LIST ("good|bad PATH" lines) through tests/media/upload.php.
upload() {
  WITSPER_ADMIN_PASSWORD=$WITSPER_ADMIN_PASSWORD \
    php tests/media/upload.php "$WITSPER_URL" "$WITSPER_ADMIN_USER" "$1" "$2" "$3" "$4" \
    || { echo "upload.php failed (exit $?)" >&2; return 1; }
  jq -r 'select(.id != null) | .id' "$4" >>"$IDS"
}
# server_check OUT CHECK: tests/media/live-check.php over the attachments OUT created.
server_check() {
  local ids
  ids=$(jq -r 'select(.id != null) | .id' "$1" | tr '\n' ' ')
  : >"$2"
  [[ -n ${ids// } ]] || return 0
  # shellcheck disable=SC2086  # a list of numbers
  "$WP" eval-file tests/media/live-check.php $ids >"$2" 2>"$2.err" || { cat "$2.err" >&2; return 1; }
}
# maps_has PID: the process maps libvips or libwitsper-media.
maps_has_media() { grep -qE 'libvips|libwitsper-media' "/proc/$1/maps" 2>/dev/null; }
count() { jq -s "map(select($2)) | length" "$1"; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }'; }
EDITOR_CLASS=Witsper_Image_Editor

# judge_uploads NAME OUT CHECK WANT_CODE: the checks every batch of good uploads gets.
judge_uploads() {
  local name=$1 out=$2 chk=$3 n bad not_ok wrong_editor pid pids nomap=0 gd
  n=$(wc -l <"$out")
  bad=$(count "$out" '.ok != true')
  check "$name: $n uploads answered 2xx with an attachment ($bad did not)" test "$bad" -eq 0
  jq -r 'select(.ok != true) | "    \(.file): HTTP \(.code) \(.error_code // "") \(.message // .body // "" | tostring | .[0:160])"' "$out"
  not_ok=$(count "$chk" '.ok != true')
  check "$name: every attachment has all default sizes, files on disk, right content types ($not_ok of $(wc -l <"$chk") not)" \
    test "$not_ok" -eq 0 -a "$(wc -l <"$chk")" -eq "$(count "$out" '.ok == true')"
  jq -r 'select(.ok != true) | "    #\(.id) \(.file): missing \(.missing) absent \(.absent) wrong mime \(.mime_wrong)"' "$chk"
  wrong_editor=$(count "$out" ".ok == true and .editor != \"$EDITOR_CLASS\"")
  check "$name: WordPress chose $EDITOR_CLASS for every upload ($wrong_editor did not: $(jq -r 'select(.ok == true) | .editor' "$out" | sort | uniq -c | xargs))" \
    test "$wrong_editor" -eq 0
  pids=$(jq -r 'select(.pid != null) | .pid' "$out" | sort -u)
  for pid in $pids; do maps_has_media "$pid" || nomap=$((nomap + 1)); done
  check "$name: the workers that made the sizes have libwitsper-media mapped ($(wc -w <<<"$pids") workers, $nomap without)" \
    test -n "$pids" -a "$nomap" -eq 0
  badinit=$(count "$out" ".ok == true and (.init_pid == null or .init_pid != .pid or .init_pid == $master)")
  check "$name: libvips was started in the worker itself (wm_init_pid == the worker's pid, != the master's $master; $badinit uploads not)" \
    test "$badinit" -eq 0
  gd=$(count "$chk" '(.gd_jpeg | length) > 0')
  check "$name: no size carries GD's JPEG encoder comment ($gd attachments do)" test "$gd" -eq 0
}

# A list of small good images (~1-2 MP: the corpus' 2.2 MP orientation set in all 8 EXIF
# orientations, plus a PNG and a WebP) and the bad ones: corrupt, truncated, lying files and
# decompression bombs. Two files that look broken but decode are good, not bad:
# jpeg-missing-eoi.jpg (libjpeg ends it cleanly) and png-named-as.jpg (WordPress renames it).
GOOD=("$CORPUS"/orientation/*.jpg "$CORPUS/formats/png/palette-256_from-cc0-photo.png"
      "$CORPUS/formats/webp/lossy-alpha_product-cutout.webp")
# The AVIFs last: WordPress 6.1 refuses the type before any editor runs, so N = 200 (10 bad)
# covers every file an editor sees.
BAD=(corrupt/zero-bytes.jpg corrupt/not-an-image.jpg corrupt/corrupt-header.jpg
     corrupt/truncated-50pct_baseline.jpg corrupt/truncated-35pct_progressive.jpg
     corrupt/truncated-50pct_16bit-rgba.png corrupt/truncated-60pct.webp corrupt/truncated_upstream.gif
     dimensions/stress_65536x65536_png-bomb.png dimensions/stress_20000x14000_grey_synthetic.jpg
     corrupt/truncated-50pct.avif dimensions/stress_17000x17000_synthetic.avif)

# --- the run -----------------------------------------------------------------------------------
say "stack $WITSPER_URL, modes: $MODES, reliability run: $N uploads per mode ($((N / 20)) bad)"
if [[ $KIND == suite ]] && (( N < 1000 )); then
  say "NOTE  the issue's 1,000 uploads (50 bad) run in make soak-media; this suite runs $N per mode (see the rate below)"
fi
SUMMARY=()
for mode in $MODES; do
  say "=== FFI mode $mode (pm.max_requests=0)"
  fpm_restart WITSPER_FFI_MODE="$mode" WITSPER_FPM_MAX_REQUESTS=0 WITSPER_FPM_MAX_SPARE_SERVERS=20 \
    || { fail "$mode: php-fpm restart"; continue; }
  mark=$(log_mark "$WITSPER_FPM_LOG")
  master=$(fpm_master_pid) || { fail "$mode: no php-fpm master"; continue; }

  # 0. Page views load nothing of the media library: fresh workers, 40 page requests.
  for ((i = 0; i < 10; i++)); do
    for path in / "/?p=1" /wp-json/witsper/v1/health "/?s=witsper"; do http_code "$path" >/dev/null; done
  done
  with_media=0 with_parser=0 nw=0
  for pid in $(pool_workers); do
    nw=$((nw + 1))
    maps_has_media "$pid" && with_media=$((with_media + 1))
    grep -q 'libwitsper\.so' "/proc/$pid/maps" 2>/dev/null && with_parser=$((with_parser + 1))
  done
  check "$mode: after 40 page views no worker maps libvips or libwitsper-media ($with_media of $nw do; the parser libwitsper.so is mapped in $with_parser)" \
    test "$nw" -gt 0 -a "$with_media" -eq 0

  # 1. Both clients, a few real files.
  printf 'good %s\n' "$IMG/jpeg-12mp.jpg" "$CORPUS/photos/pixel-hdrplus_dog_12mp_orient6_xmp_icc.jpg" \
    "$CORPUS/formats/png/rgba_blackbug_handwriting.png" "$CORPUS/formats/heic/iphone7_IMG_2682.heic" >"$REL_TMP/basic.list"
  for via in rest async; do
    if upload "$via" 1 "$REL_TMP/basic.list" "$REL_TMP/$via.out" && server_check "$REL_TMP/$via.out" "$REL_TMP/$via.chk"; then
      judge_uploads "$mode: $via" "$REL_TMP/$via.out" "$REL_TMP/$via.chk"
    else
      must_run "$mode: $via uploads" "the client or the check failed (above)"
    fi
  done

  # 1b. Images smaller than the upload check's 64 px decode are usable uploads too (the
  #     check once resized through WordPress's arithmetic, which refuses to enlarge, and
  #     turned them away). WordPress makes no sizes for them.
  printf 'good %s\n' "$CORPUS/dimensions/tiny_50x50.png" "$CORPUS/dimensions/tiny_50x50.jpg" >"$REL_TMP/tiny.list"
  if upload rest 1 "$REL_TMP/tiny.list" "$REL_TMP/tiny.out"; then
    bad=$(count "$REL_TMP/tiny.out" '.ok != true')
    check "$mode: 50x50 PNG and JPEG uploads answer 2xx with an attachment ($bad did not)" test "$bad" -eq 0
    jq -r 'select(.ok != true) | "    \(.file): HTTP \(.code) \(.message // .body // "" | tostring | .[0:160])"' "$REL_TMP/tiny.out"
  else
    must_run "$mode: tiny uploads" "the client failed (above)"
  fi

  # 2. A 24 MP upload request, wall time (median of 3, one at a time).
  printf 'good %s\n' "$IMG/jpeg-24mp.jpg" "$IMG/jpeg-24mp.jpg" "$IMG/jpeg-24mp.jpg" >"$REL_TMP/24.list"
  if upload rest 1 "$REL_TMP/24.list" "$REL_TMP/24.out"; then
    t24=$(jq -r 'select(.ok == true) | .time' "$REL_TMP/24.out" | sort -n | sed -n 2p)
    say "INFO  $mode: 24 MP JPEG (6000x4000, $(( $(stat -c %s "$IMG/jpeg-24mp.jpg") / 1024 )) kB) upload request, REST: $(jq -r '.time' "$REL_TMP/24.out" | xargs) s"
    check "$mode: a 24 MP JPEG upload request answers in <= 2 s wall (median of 3: ${t24:-none} s)" \
      awk -v t="${t24:-99}" 'BEGIN { exit !(t <= 2.0) }'
    SUMMARY+=("$mode: 24 MP upload request ${t24:-n/a} s (median of 3)")
  else
    must_run "$mode: 24 MP upload" "the client failed"
  fi

  # 3. 4 concurrent 48 MP uploads.
  m48=$(log_mark "$WITSPER_FPM_LOG")
  printf 'good %s\n' "$IMG/jpeg-48mp.jpg" "$IMG/jpeg-48mp.jpg" "$IMG/jpeg-48mp.jpg" "$IMG/jpeg-48mp.jpg" >"$REL_TMP/48.list"
  start=$SECONDS
  if upload rest 4 "$REL_TMP/48.list" "$REL_TMP/48.out" && server_check "$REL_TMP/48.out" "$REL_TMP/48.chk"; then
    say "INFO  $mode: 4 concurrent 48 MP uploads in $((SECONDS - start)) s (per request: $(jq -r '.time' "$REL_TMP/48.out" | xargs) s)"
    non2xx=$(count "$REL_TMP/48.out" '.code < 200 or .code > 299')
    check "$mode: 4 concurrent 48 MP JPEG uploads: 0 non-2xx ($non2xx)" test "$non2xx" -eq 0
    judge_uploads "$mode: 48 MP x4" "$REL_TMP/48.out" "$REL_TMP/48.chk"
    c=$(count_crashes_since "$m48")
    check "$mode: 4 concurrent 48 MP uploads: 0 crashed workers (stack/fpm-exits.php: ${c:-?})" test "${c:-1}" -eq 0
  else
    must_run "$mode: 48 MP uploads" "the client or the check failed"
  fi
  delete_created

  # 4. Reliability: N uploads, every 20th a bad file; the first ones are the warm-up.
  : >"$REL_TMP/rel.list"
  g=0 b=0
  for ((i = 1; i <= N; i++)); do
    if (( i % 20 == 10 )); then
      echo "bad $CORPUS/${BAD[b % ${#BAD[@]}]}" >>"$REL_TMP/rel.list"; b=$((b + 1))
    else
      echo "good ${GOOD[g % ${#GOOD[@]}]}" >>"$REL_TMP/rel.list"; g=$((g + 1))
    fi
  done
  # Warm-up: a worker's RSS climbs over its first ~10 uploads (libvips' and glibc's pools,
  # Zend MM's chunk cache) and then stays: 10% of N, at least 60 (10 per worker of the ~6
  # the run spreads over), so the judged growth is per-upload growth, not first use.
  warm=$(( N / 10 > 60 ? N / 10 : 60 ))
  head -n "$warm" "$REL_TMP/rel.list" >"$REL_TMP/rel-a.list"
  tail -n +"$((warm + 1))" "$REL_TMP/rel.list" >"$REL_TMP/rel-b.list"
  mrel=$(log_mark "$WITSPER_FPM_LOG")
  start=$SECONDS
  ok_run=1
  upload rest 2 "$REL_TMP/rel-a.list" "$REL_TMP/rel-a.out" || ok_run=0
  snapshot "$REL_TMP/r0.snap"
  t0=$SECONDS
  upload rest 2 "$REL_TMP/rel-b.list" "$REL_TMP/rel-b.out" || ok_run=0
  t1=$SECONDS
  snapshot "$REL_TMP/r1.snap"
  if (( ! ok_run )); then
    must_run "$mode: reliability run" "the client failed"
    continue
  fi
  cat "$REL_TMP/rel-a.out" "$REL_TMP/rel-b.out" >"$REL_TMP/rel.out"
  secs=$(( SECONDS - start ))
  rate=$(awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.2f", n / (s > 0 ? s : 1) }')
  say "INFO  $mode: $N uploads ($b bad) in $secs s at 2 connections: $rate uploads/s; 1,000 would take ~$(awk -v r="$rate" 'BEGIN { printf "%.0f", 1000 / (r > 0 ? r : 1) }') s"
  jq -c 'select(.kind == "good")' "$REL_TMP/rel.out" >"$REL_TMP/rel-good.out"
  jq -c 'select(.kind == "bad")' "$REL_TMP/rel.out" >"$REL_TMP/rel-bad.out"
  server_check "$REL_TMP/rel-good.out" "$REL_TMP/rel.chk" || must_run "$mode: reliability server check" "live-check.php failed"
  judge_uploads "$mode: reliability, $g good" "$REL_TMP/rel-good.out" "$REL_TMP/rel.chk"
  badok=$(count "$REL_TMP/rel-bad.out" '.code >= 400 and .code <= 599 and .json == true and ((.message // "") | length) > 0')
  check "$mode: reliability: the $b bad files answered a 4xx/5xx JSON error with a message ($badok did)" test "$badok" -eq "$b"
  say "    bad file -> HTTP status, error code, message (first of each file), max time:"
  jq -rs 'group_by(.file)[] | "    \(.[0].file): HTTP \(map(.code) | unique | join("/")) \(.[0].error_code // "-") \"\(.[0].message // .[0].body // "" | tostring | .[0:150])\" \(map(.time) | max) s"' "$REL_TMP/rel-bad.out"
  fatals=$(log_since "$WITSPER_FPM_LOG" "$mrel" | grep -cE 'PHP (Fatal|Parse) error|Allowed memory size' || true)
  check "$mode: reliability: no PHP fatal error in the php-fpm log ($fatals)" test "$fatals" -eq 0
  log_since "$WITSPER_FPM_LOG" "$mrel" | grep -E 'PHP (Fatal|Parse) error|Allowed memory size' | head -n 5 | sed 's/^/    /' || true
  c=$(count_crashes_since "$mrel")
  check "$mode: reliability: 0 crashed workers (stack/fpm-exits.php: ${c:-?}; php-fpm's own scale-down kills, not failed: $(count_scaledown_since "$mrel"))" test "${c:-1}" -eq 0
  fpm_exits_since "$mrel" | grep -E '^(CRASH|SCALEDOWN)' | sed 's/^/    /' || true
  # Judged on the workers that had served >= 20 requests before the window: the ones php-fpm
  # started late (for the 48 MP uploads) are still in their first-use climb (libvips' and
  # glibc's pools, Zend MM chunks: 3-6 MB over their first ~25 uploads, then flat), which is
  # not per-upload growth; a leak grows every worker. All workers are in the table.
  read -r nw r0 r1 wreq gr ga < <(growth "$REL_TMP/r0.snap" "$REL_TMP/r1.snap" 100 20)
  say "    workers alive through the measured $((N - warm)) uploads ($((t1 - t0)) s): pid, RSS start/end MB, growth kB, requests"
  worker_table "$REL_TMP/r0.snap" "$REL_TMP/r1.snap" | sed 's/^/    /'
  say "    requests each had served before the window (pid:requests): $(awk '{ printf "%s:%s ", $1, $4 }' "$REL_TMP/r0.snap")"
  say "    mean RSS of those workers: $r0 -> $r1 MB"
  # Judged on private anonymous memory, where a malloc/emalloc/libvips leak shows (as
  # make load does); VmRSS also counts code pages of libvips' format libraries that a worker
  # touches the first time it meets a format. Only workers past their first-use climb
  # (>= 20 requests before the window) count. Judged by `make soak-media` (1,000 uploads,
  # ~160 per worker); with 200 (~24 per worker) it is printed, not judged, as `make test-load`
  # prints what `make load` judges: allocator steps of 2-3 MB in one worker moved this figure
  # between 2.1 and 6.3 MB/100 over four runs of the same code (2026-11-28).
  growth_msg="$mode: reliability: worker RSS growth < 5 MB per 100 uploads (private anonymous $ga MB per 100, VmRSS $gr MB; $nw workers with >= 20 requests before, $wreq requests, after $warm warm-up uploads)"
  if (( N >= 1000 )); then
    check "$growth_msg" awk -v g="$ga" 'BEGIN { exit !(g != "NA" && g < 5.0) }'
  else
    say "INFO  $growth_msg (judged by make soak-media)"
  fi
  SUMMARY+=("$mode: $N uploads in $secs s ($rate/s), RSS growth $gr MB/100 (anon $ga)")

  # The master: never libvips (it forks the workers; a thread pool does not survive fork).
  check "$mode: the php-fpm master ($master) maps neither libvips nor libwitsper-media" bash -c "! grep -qE 'libvips|libwitsper-media' /proc/$master/maps"
  delete_created
  crashes=$(count_crashes_since "$mark")
  check "$mode: 0 crashed workers in the whole mode (${crashes:-?})" test "${crashes:-1}" -eq 0
done

say "=== results"
printf '%s\n' "${SUMMARY[@]}"
summary
