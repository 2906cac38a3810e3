#!/usr/bin/env bash
# Load and soak tests: wrk against a block-heavy post (rendered by WordPress through nginx and
# php-fpm, the native parser on every request) and against /wp-json/witsper/v1/health, in both
# FFI modes, with the same post rendered with the plugin deactivated in the same run.
#
# Usage: tests/load/run.sh [--short | --soak] [--modes "true preload"] [--requests N] [--segment S]
#   (default)  `make load`: per FFI mode >= 20,000 plugin-on requests at 32 connections
#              (>= 5,000 on the block post, the rest on the health route), then 9 runs of
#              30 s with plugin-on and plugin-off requests side by side (WITSPER_LOAD_CMP_RUNS)
#   --short    `make test-load` (CI): the same runs and criteria, scaled down (< 4 min)
#   --soak     `make soak`: >= 200,000 requests (or --requests N) mixing both URLs in the
#              stack's current mode, sampling latency and worker RSS; plot in var/soak.png
# Pass criteria (issue 4): 0 crashed workers (stack/fpm-exits.php, with the master's kill() calls
# traced: php-fpm's own scale-down SIGKILLs of idle workers are reported, not failed), 0 non-2xx
# (and 0 socket errors), worker RSS growth < 1 MB per 10,000 requests, plugin-on req/s on the
# block post >= plugin-off - 0.5%, median of 9 paired runs (measured side by side, in the same seconds, see
# witsper-load-plugin-switch.php), and the request counts above reached.
# Results: $WITSPER_VAR/load.md (load-short.md for --short, soak.md + soak.png for --soak).
# php-fpm runs with pm.max_requests = 0 during the runs (leaks show instead of being recycled);
# the trap restores the stack's mode, pm.max_requests and the plugin's state, and removes the
# test's must-use plugin.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/load/lib.sh
. tests/load/lib.sh

MODE=default
MODES=""
SOAK_REQUESTS=200000
SEG=30
while (( $# )); do
  case $1 in
    --short) MODE=short;;
    --soak) MODE=soak;;
    --modes) MODES=$2; shift;;
    --requests) SOAK_REQUESTS=$2; shift;;
    --segment) SEG=$2; shift;;
    -h|--help) sed -n '2,20p' "$0"; exit 0;;
    *) echo "unknown argument: $1" >&2; exit 3;;
  esac
  shift
done

load_stack_env
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v jq >/dev/null || die "jq is not installed"
REL_TMP=$(mktemp -d /tmp/witsper-load.XXXXXX)
TRACE_KILLS=1   # the master's kill() calls, for stack/fpm-exits.php (tests/load/lib.sh)
CONNS=32
THREADS=2
CORPUS=${WITSPER_LOAD_POST:-}
if [[ -z $CORPUS ]]; then
  CORPUS=${WITSPER_CORPUS:-tests/corpus/blocks}/early-adopting-the-future.html
fi
[[ -n $CORPUS && -f $CORPUS ]] || die "no block post content found (set WITSPER_LOAD_POST)"
ORIG_MODE=$ORIG_FFI_MODE
ORIG_PLUGIN=$(plugin_state)
[[ -z $MODES ]] && { if [[ $MODE == soak ]]; then MODES=$ORIG_MODE; else MODES="true preload"; fi; }
RESTORED=0

restore() {
  local rc=$?
  (( RESTORED )) && return
  RESTORED=1
  trap - EXIT INT TERM
  # Kill only the wrk we started, if a signal interrupted it.
  # shellcheck disable=SC2086,SC2015  # one pid, or two while a side-by-side pair runs; kill may fail, || true
  [[ -n ${WRK_PID:-} ]] && kill $WRK_PID 2>/dev/null || true
  rm -f "$SWITCH_DST"
  echo "--- restoring the stack (FFI mode $ORIG_MODE, its pm.max_requests, plugin $ORIG_PLUGIN)"
  # shellcheck disable=SC2015  # best-effort restore in cleanup: || true covers the test and plugin_set alike
  [[ $ORIG_PLUGIN == active && $(plugin_state) != active ]] && plugin_set on active || true
  # shellcheck disable=SC2015  # best-effort restore in cleanup: || true covers the test and plugin_set alike
  [[ $ORIG_PLUGIN == inactive && $(plugin_state) != inactive ]] && plugin_set off inactive || true
  TRACE_KILLS=0
  fpm_restart || echo "WARNING: php-fpm restart with the stack's settings failed" >&2
  kill_trace_stop
  rm -rf "$REL_TMP"
  exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT TERM

# The header that serves a request as if witsper-ffi were deactivated, through a must-use
# plugin that exists only while this script runs (the trap removes it).
OFF_HEADER='X-Witsper-Load-Plugin: off'
SWITCH_DST=$WITSPER_WP_ROOT/wp-content/mu-plugins/witsper-load-plugin-switch.php
# Connections of each side of the side-by-side comparison: half of pm.max_children.
MAX_CHILDREN=$(sed -n 's/^[[:space:]]*pm.max_children[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' \
  "$WITSPER_VAR"/etc/php-fpm.d/*.conf 2>/dev/null | tail -n 1)
CMP_CONNS=$(( ${MAX_CHILDREN:-20} / 2 ))
(( CMP_CONNS >= 1 )) || CMP_CONNS=1

# --- helpers ---------------------------------------------------------------------------------
# wrk_start NAME SECONDS URL CONNS THREADS [PATH...]: starts one bounded wrk run in the
# background ($! is its pid), output in NAME.out. WRK_HEADER="Name: value" adds a header.
wrk_start() {
  local name=$1 secs=$2 url=$3 conns=$4 threads=$5; shift 5
  wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency ${WRK_HEADER:+-H "$WRK_HEADER"} \
      -s tests/load/count.lua "$url" -- "$@" >"$REL_TMP/$name.out" 2>&1 &
}
# wrk_summary NAME: keeps the run's WRK line in NAME.wrk (prints wrk's output if there is none).
wrk_summary() {
  grep '^WRK ' "$REL_TMP/$1.out" >"$REL_TMP/$1.wrk" || { cat "$REL_TMP/$1.out" >&2; return 1; }
}
# run_wrk NAME SECONDS URL [PATH...]: one run at $CONNS connections; summary in NAME.wrk.
run_wrk() {
  local name=$1 secs=$2 url=$3; shift 3
  wrk_start "$name" "$secs" "$url" "$CONNS" "$THREADS" "$@"
  WRK_PID=$!
  wait "$WRK_PID" || { cat "$REL_TMP/$name.out" >&2; WRK_PID=; return 1; }
  WRK_PID=
  wrk_summary "$name"
}
# run_wrk_pair NAME SECONDS URL CONNS: two runs at the same time on URL, CONNS connections
# each, the second with $OFF_HEADER; summaries in NAME-on.wrk and NAME-off.wrk.
run_wrk_pair() {
  local name=$1 secs=$2 url=$3 conns=$4 on_pid off_pid rc=0
  wrk_start "$name-on" "$secs" "$url" "$conns" 1; on_pid=$!
  WRK_HEADER=$OFF_HEADER wrk_start "$name-off" "$secs" "$url" "$conns" 1; off_pid=$!
  WRK_PID="$on_pid $off_pid"
  wait "$on_pid" || rc=1
  wait "$off_pid" || rc=1
  WRK_PID=
  wrk_summary "$name-on" || rc=1
  wrk_summary "$name-off" || rc=1
  return "$rc"
}
# field NAME KEY: a value from a run's WRK line.
field() { grep -o "\b$2=[0-9]*" "$REL_TMP/$1.wrk" | cut -d= -f2; }
rate_of() { awk -v n="$(field "$1" requests)" -v d="$(field "$1" duration_us)" \
  'BEGIN { printf "%.1f", (d > 0 ? n * 1e6 / d : 0) }'; }
# secs_for N RATE CAP: seconds needed for N requests at RATE, with a 25% margin.
secs_for() { awk -v n="$1" -v r="$2" -v cap="$3" \
  'BEGIN { s = int(n * 1.25 / (r > 1 ? r : 1)) + 2; if (s > cap) s = cap; if (s < 3) s = 3; print s }'; }

health_native() {
  # The route must answer 200 with the native parser active in this mode.
  local j; j=$(health_json)
  jq -e --arg m "$1" '(.ffi_mode == $m) and (.native_parser_active == true)' \
    <<<"$j" >/dev/null 2>&1
}

# plugin_off_by_header: with $OFF_HEADER the plugin is not loaded (its REST route is gone)
# and the block post renders the same HTML as with the plugin.
plugin_off_by_header() {
  local on off
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -H "$OFF_HEADER" "$HEALTH_URL") == 404 ]] || return 1
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$HEALTH_URL") == 200 ]] || return 1
  on=$(curl -s --max-time 30 "$BLOCK_URL" | md5sum) && off=$(curl -s --max-time 30 -H "$OFF_HEADER" "$BLOCK_URL" | md5sum)
  [[ -n $on && $on == "$off" ]]
}

ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

# measure COMMAND...: runs one wrk command between two worker snapshots and sets M_CRASHES (crash
# lines the php-fpm log gained) and M_RSS ("mean RSS start -> end (workers)", same pids).
measure() {
  local mark nw r0 r1 rest
  mark=$(log_mark "$WITSPER_FPM_LOG")
  snapshot "$REL_TMP/a.snap"
  "$@"
  snapshot "$REL_TMP/b.snap"
  read -r nw r0 r1 rest < <(growth "$REL_TMP/a.snap" "$REL_TMP/b.snap")
  M_RSS="$r0 -> $r1 ($nw)"
  M_CRASHES=$(count_crashes_since "$mark")
}

ROWS=()
add_row() {  # mode plugin url name crashes growth-line
  local n=$4
  ROWS+=("| $1 | $2 | $3 | $(field "$n" requests) | $(rate_of "$n") | $(ms "$(field "$n" p50_us)") | $(ms "$(field "$n" p99_us)") | $(( $(field "$n" non2xx) )) | $(( $(field "$n" err_connect) + $(field "$n" err_read) + $(field "$n" err_write) + $(field "$n" err_timeout) )) | $5 | $6 |")
}
bad_responses() {  # non-2xx + socket errors over runs
  local n t=0; for n in "$@"; do
    t=$(( t + $(field "$n" non2xx) + $(field "$n" err_connect) + $(field "$n" err_read) \
          + $(field "$n" err_write) + $(field "$n" err_timeout) )); done; echo "$t"; }
sum_req() { local n t=0; for n in "$@"; do t=$(( t + $(field "$n" requests) )); done; echo "$t"; }
sum_rate() { local n r=0 d=0; for n in "$@"; do r=$(( r + $(field "$n" requests) )); d=$(( d + $(field "$n" duration_us) )); done
  awk -v r="$r" -v d="$d" 'BEGIN { printf "%.1f", (d > 0 ? r * 1e6 / d : 0) }'; }

# --- setup -----------------------------------------------------------------------------------
[[ $ORIG_PLUGIN == active || $ORIG_PLUGIN == inactive ]] || die "cannot read the plugin's state through wp-load.php"
[[ $ORIG_PLUGIN == active ]] || plugin_set on active || die "cannot activate witsper-ffi"
read -r POST_ID POST_PATH < <(wp_php post-ensure "$CORPUS" witsper-load-block-post) \
  || die "cannot create the block post"
BLOCK_URL=$WITSPER_URL$POST_PATH
HEALTH_PATH=/wp-json/witsper/v1/health
HEALTH_URL=$WITSPER_URL$HEALTH_PATH
say "stack $WITSPER_URL, block post #$POST_ID $POST_PATH ($(wc -c <"$CORPUS") bytes of $(basename "$CORPUS")), modes: $MODES"
code=$(http_code "$POST_PATH" 30)
[[ $code == 200 ]] || die "the block post answers $code, not 200"
if [[ $MODE != soak ]]; then
  [[ -d $(dirname "$SWITCH_DST") ]] || die "no must-use plugin directory $(dirname "$SWITCH_DST")"
  cp tests/load/witsper-load-plugin-switch.php "$SWITCH_DST"
fi

case $MODE in
  short)   BLOCK_N=1200; HEALTH_N=2400; CAP=${WITSPER_LOAD_CAP:-12}; WARM=4; OUT=$WITSPER_VAR/load-short.md
           CMP_RUNS=2; CMP_SECS=5;;
  default) BLOCK_N=5000; HEALTH_N=15000; CAP=${WITSPER_LOAD_CAP:-400}; WARM=15; OUT=$WITSPER_VAR/load.md
           CMP_RUNS=${WITSPER_LOAD_CMP_RUNS:-9}; CMP_SECS=30;;
  soak)    OUT=$WITSPER_VAR/soak.md;;
esac

# --- soak ------------------------------------------------------------------------------------
if [[ $MODE == soak ]]; then
  mode=$MODES
  say "=== soak: FFI mode $mode, pm.max_requests=0, target $SOAK_REQUESTS requests mixing the block post and the health route"
  fpm_restart WITSPER_FFI_MODE="$mode" WITSPER_FPM_MAX_REQUESTS=0 WITSPER_FPM_MAX_SPARE_SERVERS=20 || die "php-fpm restart failed"
  check "health route: mode $mode, native parser active" health_native "$mode"
  run_wrk warm 10 "$WITSPER_URL" "$POST_PATH" "$HEALTH_PATH"
  mark=$(log_mark "$WITSPER_FPM_LOG")
  snapshot "$REL_TMP/s0.snap"
  data=$WITSPER_VAR/soak.dat
  echo "# elapsed_s cum_requests req_s p50_ms p99_ms non2xx rss_mean_mb rss_max_mb rss_min_mb workers crashes anon_mean_mb" >"$data"
  total=0 bad=0 seg=0 start=$SECONDS base_taken=0
  cp "$REL_TMP/s0.snap" "$REL_TMP/base.snap"
  # rss_stats SNAP: mean/max/min VmRSS and mean RssAnon (MB) of the workers alive since s0.
  rss_stats() { join <(sort "$REL_TMP/s0.snap") <(sort "$1") | awk '
      { n++; s += $5; a += $6; if ($5 > mx) mx = $5; if (mn == 0 || $5 < mn) mn = $5 }
      END { if (n == 0) print "0 0 0 0 0"; else printf "%.2f %.2f %.2f %d %.2f\n", s/n/1024, mx/1024, mn/1024, n, a/n/1024 }'; }
  read -r rmean rmax rmin nw ranon < <(rss_stats "$REL_TMP/s0.snap")
  printf '0 0 0 0 0 0 %s %s %s %d 0 %s\n' "$rmean" "$rmax" "$rmin" "$nw" "$ranon" >>"$data"
  # Bounded: stops at the request target or after 4 h, whichever comes first.
  while (( total < SOAK_REQUESTS && SECONDS - start < 14400 )); do
    seg=$((seg + 1))
    run_wrk "seg$seg" "$SEG" "$WITSPER_URL" "$POST_PATH" "$HEALTH_PATH"
    total=$(( total + $(field "seg$seg" requests) ))
    bad=$(( bad + $(bad_responses "seg$seg") ))
    snapshot "$REL_TMP/now.snap"
    # RSS of the workers that were there at the start and still are (same pids).
    read -r rmean rmax rmin nw ranon < <(rss_stats "$REL_TMP/now.snap")
    printf '%d %d %s %s %s %d %s %s %s %d %d %s\n' $((SECONDS - start)) "$total" "$(rate_of "seg$seg")" \
      "$(ms "$(field "seg$seg" p50_us)")" "$(ms "$(field "seg$seg" p99_us)")" "$(bad_responses "seg$seg")" \
      "$rmean" "$rmax" "$rmin" "$nw" "$(count_crashes_since "$mark")" "$ranon" >>"$data"
    # The first 10% of the requests count as warm-up for the growth criterion (first-use
    # growth of caches and allocator pools); the plot shows them all.
    if (( ! base_taken && total * 10 >= SOAK_REQUESTS )); then cp "$REL_TMP/now.snap" "$REL_TMP/base.snap"; base_taken=1; fi
    tail -n 1 "$data"
  done
  snapshot "$REL_TMP/s1.snap"
  crashes=$(count_crashes_since "$mark")
  read -r nw r0 r1 wreq g ga < <(growth "$REL_TMP/base.snap" "$REL_TMP/s1.snap")
  rate=$(awk -v t="$total" -v s="$((SECONDS - start))" 'BEGIN { printf "%.1f", t / (s > 0 ? s : 1) }')
  if command -v gnuplot >/dev/null; then
    gnuplot <<EOF || fail "gnuplot could not draw $WITSPER_VAR/soak.png"
set terminal pngcairo size 1200,700 noenhanced
set output '$WITSPER_VAR/soak.png'
set title "Witsper soak: $total requests, FFI mode $mode, 32 connections, pm.max_requests=0\\nRSS of the $nw workers alive throughout (growth after the first 10%: VmRSS $g, anon $ga MB per 10k requests)"
set xlabel 'requests (thousands)'
set ylabel 'latency (ms)'
set y2label 'worker RSS (MB, workers alive since the start)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key outside bottom center horizontal
set grid
set xrange [0:*]
plot '$data' every ::1 using (\$2/1000):4 with linespoints title 'p50 latency' axes x1y1, \
     '$data' every ::1 using (\$2/1000):5 with linespoints title 'p99 latency' axes x1y1, \
     '$data' using (\$2/1000):7 with lines lw 2 title 'mean worker RSS' axes x1y2, \
     '$data' using (\$2/1000):8 with lines title 'max worker RSS' axes x1y2, \
     '$data' using (\$2/1000):9 with lines title 'min worker RSS' axes x1y2, \
     '$data' using (\$2/1000):12 with lines lw 2 title 'mean worker RssAnon' axes x1y2
EOF
  fi
  {
    echo "# Witsper soak ($(date -u +%FT%TZ))"
    echo
    echo "FFI mode $mode, $CONNS connections, pm.max_requests=0, block post + health route in turn, $seg segments of ${SEG}s."
    echo
    echo "Growth: from the snapshot after the first 10% of the requests to the end, workers alive at both (same pids)."
    echo
    echo "| requests | req/s | non-2xx + errors | crashes | workers (same pids) | mean RSS start -> end (MB) | VmRSS growth (MB / 10k req) | anon growth (MB / 10k req) |"
    echo "|---|---|---|---|---|---|---|---|"
    echo "| $total | $rate | $bad | $crashes | $nw | $r0 -> $r1 | $g | $ga |"
    echo
    echo "Samples: soak.dat; plot: soak.png."
  } >"$OUT"
  cat "$OUT"
  check "soak: >= $SOAK_REQUESTS requests ($total)" test "$total" -ge "$SOAK_REQUESTS"
  check "soak: 0 non-2xx responses or socket errors ($bad)" test "$bad" -eq 0
  check "soak: 0 crashed workers (stack/fpm-exits.php: $crashes; php-fpm's own scale-down SIGKILLs, not failed: $(count_scaledown_since "$mark"))" test "$crashes" -eq 0
  check "soak: worker RSS growth < 1 MB per 10,000 requests (private anonymous $ga MB, VmRSS $g MB, over $wreq requests of $nw workers)" \
    awk -v g="$ga" 'BEGIN { exit !(g != "NA" && g < 1.0) }'
  check "soak: plot written ($WITSPER_VAR/soak.png)" test -s "$WITSPER_VAR/soak.png"
  summary
  exit
fi

# --- load: both FFI modes ----------------------------------------------------------------------
DETAILS=()
for mode in $MODES; do
  say "=== FFI mode $mode (pm.max_requests=0)"
  fpm_restart WITSPER_FFI_MODE="$mode" WITSPER_FPM_MAX_REQUESTS=0 WITSPER_FPM_MAX_SPARE_SERVERS=20 || { fail "$mode: php-fpm restart"; continue; }
  check "$mode: health route reports mode $mode with the native parser active" health_native "$mode"
  check "$mode: a request with '$OFF_HEADER' is served without the plugin (health route 404, block post HTML identical)" plugin_off_by_header
  # Warm-up: every worker compiles, touches its caches and all three code paths (block post
  # with and without the plugin, health route) before the first RSS snapshot, so that what
  # grows afterwards is per-request growth. It also measures the rates that size the runs.
  # The last warm-up run and the last measured run are both plugin-on health requests, so the
  # whole-mode RSS window starts and ends in the same state.
  WRK_HEADER=$OFF_HEADER run_wrk "$mode-warm-off" "$WARM" "$BLOCK_URL"
  run_wrk "$mode-warm-block" "$WARM" "$BLOCK_URL"
  run_wrk "$mode-warm-health" "$WARM" "$HEALTH_URL"
  br=$(rate_of "$mode-warm-block"); hr=$(rate_of "$mode-warm-health")
  bsecs=$(secs_for "$BLOCK_N" "$br" "$CAP"); hsecs=$(secs_for "$HEALTH_N" "$hr" "$CAP")
  say "    warm-up: block post $br req/s, health $hr req/s -> block ${bsecs}s, side by side $CMP_RUNS x ${CMP_SECS}s, health ${hsecs}s"
  mode_mark=$(log_mark "$WITSPER_FPM_LOG")
  snapshot "$REL_TMP/$mode-0.snap"

  # 1. Load on the block post, plugin on, 32 connections.
  measure run_wrk "$mode-block" "$bsecs" "$BLOCK_URL"
  add_row "$mode" on "block post ($CONNS conn.)" "$mode-block" "$M_CRASHES" "$M_RSS | —"

  # 2. Plugin on vs off, side by side: two wrk at once on the same post, one of them with the
  # header that serves its requests as if the plugin were deactivated. Both sides share the
  # same workers, CPUs and seconds, so the machine's drift (10-25% within minutes here) moves
  # both alike. Each side has half of pm.max_children connections: no request waits for a
  # worker, so a side's req/s follows its own cost per request (with more connections than
  # workers, both would wait in the same queue and the difference would be diluted).
  cmp_names=()
  for ((k = 1; k <= CMP_RUNS; k++)); do
    measure run_wrk_pair "$mode-cmp$k" "$CMP_SECS" "$BLOCK_URL" "$CMP_CONNS"
    add_row "$mode" on "block post, side by side $k ($CMP_CONNS conn.)" "$mode-cmp$k-on" "$M_CRASHES" "$M_RSS | —"
    add_row "$mode" off "block post, side by side $k ($CMP_CONNS conn.)" "$mode-cmp$k-off" "$M_CRASHES" "(same workers) | —"
    cmp_names+=("$mode-cmp$k")
  done
  health_native "$mode" || fail "$mode: native parser not active after the side-by-side runs"

  # 3. The health route, plugin on, 32 connections.
  measure run_wrk "$mode-health" "$hsecs" "$HEALTH_URL"
  add_row "$mode" on "health route ($CONNS conn.)" "$mode-health" "$M_CRASHES" "$M_RSS | —"
  snapshot "$REL_TMP/$mode-1.snap"

  crashes=$(count_crashes_since "$mode_mark")
  ons=(); offs=(); all=("$mode-block" "$mode-health")
  for n in "${cmp_names[@]}"; do ons+=("$n-on"); offs+=("$n-off"); all+=("$n-on" "$n-off"); done
  on_req=$(field "$mode-block" requests); h_req=$(field "$mode-health" requests)
  cmp_on_req=$(sum_req "${ons[@]}"); cmp_off_req=$(sum_req "${offs[@]}")
  on_rate=$(sum_rate "${ons[@]}"); off_rate=$(sum_rate "${offs[@]}")
  bad=$(bad_responses "${all[@]}")
  run_ratios=$(for n in "${cmp_names[@]}"; do echo "$(rate_of "$n-on") $(rate_of "$n-off")"; done |
    awk '{ printf "%.3f\n", ($2 > 0 ? $1 / $2 : 0) }' | paste -sd' ')
  read -r nw r0 r1 wreq g ga < <(growth "$REL_TMP/$mode-0.snap" "$REL_TMP/$mode-1.snap")
  ratio=$(awk -v a="$on_rate" -v b="$off_rate" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
  # The judged figure (issue 11): the median of the paired runs' on/off ratios, so one run
  # disturbed by something else on the machine moves neither side of the verdict.
  median=$(tr ' ' '\n' <<<"$run_ratios" | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  ROWS+=("| $mode | **all** | block post side by side, on / off: $on_rate / $off_rate req/s = $ratio; median of the pairs **$median** (per run: $run_ratios) | $((on_req + h_req + cmp_on_req + cmp_off_req)) | | | | | | $crashes | $r0 -> $r1 ($nw) | $g / **$ga** |")
  DETAILS+=("" "#### FFI mode $mode: workers alive through the whole mode (same pids)" ""
            "| pid | RSS start (MB) | RSS end (MB) | growth (kB) | requests served |" "|---|---|---|---|---|")
  mapfile -t wt < <(worker_table "$REL_TMP/$mode-0.snap" "$REL_TMP/$mode-1.snap")
  DETAILS+=("${wt[@]}")

  if [[ $MODE == default ]]; then
    check "$mode: >= 5,000 plugin-on requests on the block post at $CONNS connections ($on_req)" test "$on_req" -ge 5000
    check "$mode: >= 20,000 plugin-on requests at $CONNS connections in all ($((on_req + h_req)))" test $((on_req + h_req)) -ge 20000
  else
    # Short runs are time-boxed (CI budget), so their counts follow the machine's speed and
    # whatever else runs on it: the floor only proves that load really ran (at least one
    # request per connection on each route). Quiet: ~380 / ~560; next to 16 busy loops and
    # a second loaded stack: 149 / 317 (2026-11-28). Throughput is judged by `make load`.
    check "$mode: >= $CONNS plugin-on block post requests ($on_req) and >= $CONNS on the health route ($h_req)" \
      test "$on_req" -ge "$CONNS" -a "$h_req" -ge "$CONNS"
  fi
  check "$mode: 0 crashed workers (stack/fpm-exits.php: $crashes; php-fpm's own scale-down SIGKILLs, not failed: $(count_scaledown_since "$mode_mark"))" test "$crashes" -eq 0
  fpm_exits_since "$mode_mark" | grep -E '^(CRASH|SCALEDOWN)' | sed 's/^/    /' || true
  check "$mode: 0 non-2xx responses or socket errors ($bad)" test "$bad" -eq 0
  growth_msg="$mode: worker RSS growth < 1 MB per 10,000 requests (private anonymous $ga MB, VmRSS $g MB; $nw workers, $wreq requests)"
  ratio_msg="$mode: plugin-on req/s >= plugin-off - 0.5% on the block post, median of $CMP_RUNS paired side-by-side runs of ${CMP_SECS}s ($median; per run $run_ratios; summed $on_rate vs $off_rate req/s = $ratio)"
  if [[ $MODE == default ]]; then
    check "$growth_msg" awk -v g="$ga" 'BEGIN { exit !(g != "NA" && g < 1.0) }'
    check "$ratio_msg" awk -v r="$median" 'BEGIN { exit !(r >= 0.995) }'
  else
    # Measured, not judged: a ~2,000-request window over ~14 workers shows each worker's
    # first-use growth (~70 kB) rather than per-request growth, and two 5 s side-by-side runs
    # are +-3% apart. Both criteria are enforced by `make load` (>= 20,000 requests per mode,
    # 6 side-by-side runs of 20 s); see docs/reliability.md.
    say "INFO  $growth_msg (judged by make load)"
    say "INFO  $ratio_msg (judged by make load)"
  fi
done

{
  echo "# Witsper load test ($MODE, $(date -u +%FT%TZ))"
  echo
  echo "Block post: $(basename "$CORPUS") ($(wc -c <"$CORPUS") bytes) as post #$POST_ID; pm.max_requests=0, pm.max_children=${MAX_CHILDREN:-20}; $(nproc) CPUs shared by wrk, nginx, php-fpm and MariaDB. Load runs: $CONNS connections, $THREADS wrk threads, plugin on. Side-by-side runs: two wrk at the same time on the block post, $CMP_CONNS connections each (half of pm.max_children, so no request queues for a worker), the plugin-off one with the header \`$OFF_HEADER\` (the plugin is not loaded for its requests, as when deactivated); the judged figure is the median of the runs' on/off ratios (>= 0.995)."
  echo "Latency in ms. Crashes = workers that exited on SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE or a SIGKILL the php-fpm master did not send (stack/fpm-exits.php with the master's traced kill() calls); php-fpm's own scale-down SIGKILLs of idle workers are not crashes. RSS = mean VmRSS of the workers alive at the start and the end of the run (their count in brackets); growth = summed growth of those workers / requests they served x 10,000, for VmRSS and for private anonymous memory (RssAnon, where a malloc/emalloc leak shows; the pass criterion, < 1 MB). The growth is given (and judged) on the **all** row only, which spans the whole mode from after the warm-up to the end: a single run gives each worker 30 to 2,000 requests, where RSS moves by up to 2 MB as malloc returns pages or a worker first serves another route (the health route takes a worker from ~43 to ~46 MB once), so a per-10k figure for one run would be noise."
  echo
  echo "| FFI mode | plugin | URL | requests | req/s | p50 | p99 | non-2xx | socket errors | crashes | RSS start -> end MB (workers) | growth MB / 10k req: VmRSS / anon |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  printf '%s\n' "${DETAILS[@]}"
} >"$OUT"
echo
cat "$OUT"
echo
summary
