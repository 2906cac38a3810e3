#!/usr/bin/env bash
# make bench-page: what the plugin costs or saves on a whole WordPress page, counted in CPU
# instructions (callgrind) inside a real php-fpm worker, plugin on vs off, in both FFI modes.
#
# Why instructions: req/s on a shared 2-core machine drifts by +-10% between runs, which is
# bigger than the effect measured (the parser saves ~0.3 ms of a ~55 ms page). callgrind
# counts the instructions a worker executes, the same on a busy and on a quiet machine, so a
# difference of 0.1% is visible. `make load` checks the same thing in req/s under wrk.
#
# How: a second php-fpm (the stack's own pool file and php.ini, pm = static with one worker,
# port WITSPER_PAGE_PORT, default 9090) runs under valgrind --tool=callgrind; fpm-probe sends
# it the block post's request as nginx would (SCRIPT_FILENAME index.php, REQUEST_URI); the
# counters are zeroed after warm-up and dumped after each measured request. The stack's
# database and WordPress are used; its own php-fpm and nginx are left alone. The worker's
# maps are checked after its page requests: the media library (libvips) must not be loaded.
# Needs `make up`. Writes var/page-cost.md.
# Env: PAGE_REQUESTS (measured requests per plugin state, default 3), PAGE_MODES ("true preload").
set -Eeuo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/load/lib.sh
. tests/load/lib.sh
load_stack_env
command -v valgrind >/dev/null || die "valgrind is not installed"
[[ -x $FPM_PROBE ]] || die "fpm-probe is not built (make probe)"

PORT=${WITSPER_PAGE_PORT:-9090}
N=${PAGE_REQUESTS:-3}
MODES=${PAGE_MODES:-"true preload"}
CORPUS=${WITSPER_LOAD_POST:-${WITSPER_CORPUS:-tests/corpus/blocks}/early-adopting-the-future.html}
[[ -n $CORPUS && -f $CORPUS ]] || die "no block post content found (set WITSPER_LOAD_POST)"
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_busy "$PORT" && die "port $PORT is in use (set WITSPER_PAGE_PORT)"

T=$(mktemp -d /tmp/witsper-page.XXXXXX)
chmod 0777 "$T"   # callgrind writes its files from the worker, which runs as www-data
ORIG_PLUGIN=$(plugin_state)
FPM_PID=
cleanup() {
  # shellcheck disable=SC2015  # best-effort cleanup: || true covers the test, kill and wait alike
  [[ -n $FPM_PID ]] && { kill "$FPM_PID" 2>/dev/null; wait "$FPM_PID" 2>/dev/null; } || true
  # shellcheck disable=SC2015  # best-effort restore in cleanup: || true covers the test and plugin_set alike
  [[ $ORIG_PLUGIN == active && $(plugin_state) != active ]] && plugin_set on active || true
  # shellcheck disable=SC2015  # best-effort restore in cleanup: || true covers the test and plugin_set alike
  [[ $ORIG_PLUGIN == inactive && $(plugin_state) != inactive ]] && plugin_set off inactive || true
  rm -rf "$T"
}
trap cleanup EXIT

read -r POST_ID POST_PATH < <(wp_php post-ensure "$CORPUS" witsper-load-block-post) || die "cannot create the block post"
# A post without blocks (classic HTML): what the plugin costs a page where it has nothing to
# gain (the theme's templates and parts are still block documents).
printf '<p>A classic post, written before the block editor: no block delimiters.</p>\n%.0s' $(seq 1 40) >"$T/plain.html"
read -r PLAIN_ID PLAIN_PATH < <(wp_php post-ensure "$T/plain.html" witsper-bench-plain-post) || die "cannot create the plain post"
declare -A PAGE_PATH=([block]=$POST_PATH [plain]=$PLAIN_PATH)

# The stack's pool file, with one static worker on our port and no status listener.
pool=$(printf '%s\n' "$WITSPER_VAR"/etc/php-fpm.d/*.conf | head -n 1)
sed -e 's/^[[:space:]]*pm[[:space:]]*=.*/pm = static/' \
    -e 's/^[[:space:]]*pm\.max_children[[:space:]]*=.*/pm.max_children = 1/' \
    -e '/^[[:space:]]*pm\.\(start_servers\|min_spare_servers\|max_spare_servers\|status_listen\)[[:space:]]*=/d' \
    -e 's/^[[:space:]]*request_terminate_timeout[[:space:]]*=.*/request_terminate_timeout = 0/' \
    -e 's/^[[:space:]]*request_slowlog_timeout[[:space:]]*=.*/request_slowlog_timeout = 0/' \
    "$pool" >"$T/pool.conf"
printf '[global]\npid = %s/fpm.pid\nerror_log = %s/fpm.log\ndaemonize = no\ninclude = %s/pool.conf\n' \
  "$T" "$T" "$T" >"$T/php-fpm.conf"

# request_page PATH: one request of a post straight to the worker; fails unless 200.
request_page() {
  "$FPM_PROBE" request "$WITSPER_WP_ROOT/index.php" --host 127.0.0.1 --port "$PORT" \
    --timeout-ms 300000 --quiet --expect-status 200 --max-body 4194304 \
    --param "REQUEST_URI=$1" --param "DOCUMENT_URI=/index.php" --param "SCRIPT_NAME=/index.php" \
    --param "HTTP_HOST=$HOSTPORT" --param "SERVER_NAME=127.0.0.1" --param "SERVER_PORT=${HOSTPORT##*:}" \
    --param "DOCUMENT_ROOT=$WITSPER_WP_ROOT" --param "SERVER_PROTOCOL=HTTP/1.1" --param "REMOTE_ADDR=127.0.0.1"
}
worker_pid() { pgrep -P "$FPM_PID" | head -n 1; }
# instructions WORKER K: the instructions of the worker's K-th request. callgrind writes one
# dump per request (--dump-after=php_request_shutdown: the costs since the previous dump,
# i.e. request startup, the script, and the shutdown that frees its memory).
instructions() {
  local f=$T/cg.out.$1.$2 i
  for i in $(seq 1 100); do
    [[ -s $f ]] && grep -q '^totals:' "$f" && break
    sleep 0.2
  done
  awk '/^totals:/ { print $2; exit }' "$f" 2>/dev/null | grep . || die "no callgrind dump $f"
}

ROWS=()
MEDIA_ROWS=()
for mode in $MODES; do
  say "=== FFI mode $mode"
  mapfile -t envs <"$WITSPER_VAR/etc/php-fpm.env"
  # The stack's php-fpm environment for this mode (stack/up.sh writes it for the running mode).
  envs=("${envs[@]/#WITSPER_FFI_MODE=*/WITSPER_FFI_MODE=$mode}")
  # The header ffi.preload reads names our library by absolute path (as stack/up.sh does);
  # stack/ffi-mode.sh renders it and gives both preload settings of the mode.
  "$REPO/stack/ffi-mode.sh" header "${WITSPER_LIB:-$REPO/native/build/libwitsper.so.1}" \
    <"$REPO/native/include/witsper_ffi.h" >"$T/witsper_ffi.h" || die "cannot render the FFI header"
  while IFS= read -r setting; do
    envs=("${envs[@]/#${setting%%=*}=*/$setting}")
  done < <("$REPO/stack/ffi-mode.sh" settings "$mode" "$T/witsper_ffi.h" "$REPO/plugin/witsper-ffi/preload.php")
  envs=("${envs[@]/#WITSPER_FPM_LISTEN=*/WITSPER_FPM_LISTEN=127.0.0.1:$PORT}")
  env -i "${envs[@]}" valgrind --tool=callgrind --dump-after=php_request_shutdown --callgrind-out-file="$T/cg.out.%p" \
    php-fpm8.2 --fpm-config "$T/php-fpm.conf" -F >"$T/valgrind-$mode.log" 2>&1 &
  FPM_PID=$!
  for _ in $(seq 1 240); do port_busy "$PORT" && break; sleep 0.5; done
  port_busy "$PORT" || { cat "$T/valgrind-$mode.log" "$T/fpm.log" >&2; die "php-fpm under callgrind did not start"; }
  w=$(worker_pid); [[ -n $w ]] || die "no worker"
  k=0
  for state in on off; do
    want=$([[ $state == on ]] && echo active || echo inactive)
    [[ $(plugin_state) == "$want" ]] || plugin_set "$state" "$want" || die "cannot switch the plugin $state"
    # Warm-up: opcache compiles every file this state uses, and the first plugin-on request
    # after a switch re-reads the options.
    for page in block plain; do
      for i in 1 2 $(seq 1 "$N"); do
        request_page "${PAGE_PATH[$page]}" || die "$page post did not answer 200 (plugin $state, mode $mode)"
        k=$((k + 1))
      done
      for i in $(seq 1 "$N"); do
        ir=$(instructions "$w" $((k - N + i)))
        say "    $page post, plugin $state, request $i: $ir instructions"
        echo "$ir" >>"$T/$mode-$page-$state.ir"
      done
    done
  done
  [[ $(worker_pid) == "$w" ]] || die "the worker changed during the run (crash?)"
  # Page views must not load the media library (libvips: ~80 ms, ~16 MB per worker), even
  # with it installed: the worker's maps after every page request of this mode.
  media_lib=${WITSPER_MEDIA_LIB:-$REPO/media/build/libwitsper-media.so}
  media_maps=$(grep -cE 'libvips|libwitsper-media' "/proc/$w/maps" 2>/dev/null || true)
  say "    worker $w after $k page requests: libvips/libwitsper-media mappings: ${media_maps:-0} (library $media_lib: $([[ -f $media_lib ]] && echo present || echo absent))"
  MEDIA_ROWS+=("| $mode | $k | $media_lib ($([[ -f $media_lib ]] && echo present || echo absent)) | $(( ${media_maps:-0} )) |")
  (( ${media_maps:-0} == 0 )) || die "the media library is mapped in a worker that served only page views"
  kill "$FPM_PID"; wait "$FPM_PID" 2>/dev/null || true; FPM_PID=
  med() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
  for page in block plain; do
    on=$(med "$T/$mode-$page-on.ir"); off=$(med "$T/$mode-$page-off.ir")
    line=$(awk -v a="$on" -v b="$off" -v m="$mode" -v p="$page" 'BEGIN {
      printf "| %s | %s | %.1f M | %.1f M | %+.2f M (%+.2f%%) | %.4f |", m, p, a / 1e6, b / 1e6, (a - b) / 1e6, (a - b) * 100 / b, b / a }')
    say "$line"
    ROWS+=("$line")
  done
done

{
  echo "# Witsper page cost ($(date -u +%FT%TZ))"
  echo
  echo "Instructions one php-fpm worker executes for a page through index.php, median of $N requests after 2 warm-up requests, counted by callgrind: the block post ($(basename "$CORPUS"), $(wc -c <"$CORPUS") bytes, post #$POST_ID) and a post without blocks (classic HTML, post #$PLAIN_ID; the theme's templates are still block documents). Same worker, same opcache, plugin switched in the database between the two states. Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), PHP $(php -r 'echo PHP_VERSION;')."
  echo
  echo "| FFI mode | page | plugin on | plugin off | on - off | speed ratio on/off (off / on instructions) |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "The media library on page views (issue 12): the worker's /proc/PID/maps after all its page requests, lines naming libvips or libwitsper-media (must be 0)."
  echo
  echo "| FFI mode | page requests | media library | libvips/libwitsper-media mappings |"
  echo "|---|---|---|---|"
  printf '%s\n' "${MEDIA_ROWS[@]}"
} >"$WITSPER_VAR/page-cost.md"
# Where the parser's share of the page is: the documents the page parses, timed in the CLI
# (with the plugin active: the loop above ends with it off).
[[ $(plugin_state) == active ]] || plugin_set on active || die "cannot switch the plugin on"
read -r -a flags <<<"$(tests/lib/php-mode.sh true)"
docs=$(php "${flags[@]}" -d opcache.enable_cli=1 bench/page-docs.php "$WITSPER_WP_ROOT" "$HOSTPORT" "$POST_PATH" 2>&1) ||
  die "bench/page-docs.php failed: $docs"
{ echo; echo "Block post in the PHP CLI (bench/page-docs.php): $docs"; } >>"$WITSPER_VAR/page-cost.md"
cat "$WITSPER_VAR/page-cost.md"
