#!/usr/bin/env bash
# Fault tests against the running stack (`make up`, read from $WITSPER_VAR/stack.env).
# Each scenario breaks one thing on purpose and checks an explicit pass criterion:
#   1. MariaDB stopped: pages answer HTTP 500 "Error establishing a database connection",
#      no php-fpm worker exits.  2. MariaDB started again: 200 within 10 s, same php-fpm master.
#   3./4. The worker serving a (slow) request killed with SIGSEGV, then SIGKILL, under light
#      load: the master replaces it, fpm-probe stays green, that in-flight request gets a 502
#      and no other request fails.
#   5. Repeated SIGSEGVs (emergency_restart_threshold within emergency_restart_interval): the
#      master logs the emergency reload and the pool serves again.
#   6.-9. Library missing, library with another ABI number, FFI disabled, FFI restricted: the
#      block post renders byte-identical HTML through WP_Block_Parser, the health route says
#      why (reason), 0 worker exits.
#   10. A request running past request_terminate_timeout (3 s, through a pool drop-in in
#      $WITSPER_VAR/etc/php-fpm.d, which the stack's php-fpm.conf includes): php-fpm kills it
#      and logs it, nginx answers 502/504 long before its own fastcgi_read_timeout, the next
#      request is served.
# The trap puts everything back: MariaDB running, php-fpm restarted with the stack's own
# settings (mode, pm.max_requests, no extra ini/library/drop-in), the plugin's state, and
# removes the files the suite created. Bounded: < 4 min. Ends with "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/load/lib.sh
. tests/load/lib.sh

load_stack_env
REL_TMP=$(mktemp -d /tmp/witsper-faults.XXXXXX)
TRACE_KILLS=1   # the master's kill() calls, for stack/fpm-exits.php (tests/load/lib.sh)
chmod 755 "$REL_TMP"
POOL_DIR=$WITSPER_VAR/etc/php-fpm.d
DROPIN=$POOL_DIR/zzz-witsper-fault-timeout.conf
SLEEPER=$WITSPER_WP_ROOT/witsper-fault-sleep.php
DB_PIDFILE=${WITSPER_DB_PID:-$WITSPER_VAR/run/mariadbd.pid}
ORIG_PLUGIN=$(plugin_state)
DB_CMD=()
BG_PIDS=()
RESTORED=0

db_pid() { local p; p=$(cat "$DB_PIDFILE" 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p"; }
db_up() { (exec 3<>"/dev/tcp/127.0.0.1/${WITSPER_DB_PORT:-3307}") 2>/dev/null; }
db_start() {
  # The same command line the stack used (captured before the stop), as a detached daemon.
  # exec: no intermediate shell may keep holding the suite's stdout (run-all.sh tees it and
  # would wait for that pipe to close forever).
  (cd / && exec setsid nohup "${DB_CMD[@]}" >>"${WITSPER_DB_LOG:-/dev/null}" 2>&1 </dev/null &)
}

restore() {
  local rc=$? p
  (( RESTORED )) && return
  RESTORED=1
  trap - EXIT INT TERM
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  echo "--- restoring the stack"
  if ! db_pid >/dev/null && (( ${#DB_CMD[@]} )); then
    db_start
    for ((i = 0; i < 120; i++)); do db_up && break; sleep 0.5; done
  fi
  rm -f "$DROPIN" "$SLEEPER"
  TRACE_KILLS=0
  fpm_restart || echo "WARNING: php-fpm restart with the stack's settings failed" >&2
  kill_trace_stop
  # shellcheck disable=SC2015  # best-effort restore in cleanup: || true covers the test and plugin_set alike
  [[ $ORIG_PLUGIN == active && $(plugin_state) != active ]] && plugin_set on active || true
  rm -rf "$REL_TMP"
  exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT TERM

# --- helpers -------------------------------------------------------------------------------
# wait_for SECONDS COMMAND...: bounded poll every 0.25 s.
# exits_match MARK PATTERN...: stack/fpm-exits.php's verdict on the log since MARK has a line
# matching each PATTERN.
exits_match() {
  local out p
  out=$(fpm_exits_since "$1"); shift
  for p in "$@"; do grep -q -- "$p" <<<"$out" || { printf '%s\n' "$out" | sed 's/^/      /'; return 1; }; done
}
wait_for() { local n=$1 i; shift; for ((i = 0; i < n * 4; i++)); do "$@" && return 0; sleep 0.25; done; return 1; }
# light_load NAME SECONDS: 2 connections on the front page in the background (count.lua).
light_load() {
  wrk -t1 -c2 -d"$2s" --timeout 10s -s tests/load/count.lua "$WITSPER_URL/" >"$REL_TMP/$1.out" 2>&1 &
  LOAD_PID=$!; BG_PIDS+=("$LOAD_PID")
}
# probe_watch FILE: fpm-probe ping every 0.2 s until killed; one line per failed ping.
probe_watch() {
  ( while :; do fpm_ping || echo "red $(date +%T.%N)"; sleep 0.2; done ) >"$1" 2>/dev/null &
  WATCH_PID=$!; BG_PIDS+=("$WATCH_PID")
}
wrk_bad() {
  local l; l=$(grep '^WRK ' "$REL_TMP/$1.out") || { echo 999; return; }
  awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         print v["non2xx"] + v["err_connect"] + v["err_read"] + v["err_write"] + v["err_timeout"] }' <<<"$l"
}
# A script in the web root that sleeps 30 s: the known in-flight request of the kill tests and
# the runaway request of the timeout test (removed by the trap).
write_sleeper() {
  cat >"$SLEEPER" <<'EOF'
<?php
// tests/faults: a slow request (removed after the test).
echo "started\n";
sleep( 30 );
echo "finished\n";
EOF
  chmod 644 "$SLEEPER"
}
wrk_requests() { grep -o 'requests=[0-9]*' "$REL_TMP/$1.out" | cut -d= -f2; }

# --- setup: pm.max_requests=0 so that no worker is recycled during the suite: every exit
# the suite sees is one it caused (or a failure).
say "stack $WITSPER_URL (FFI mode $ORIG_FFI_MODE)"
fpm_restart WITSPER_FPM_MAX_REQUESTS=0 || die "php-fpm restart failed"
[[ $ORIG_PLUGIN == active ]] || plugin_set on active || die "cannot activate witsper-ffi"
read -r POST_ID POST_PATH < <(wp_php post-ensure "${WITSPER_CORPUS:-tests/corpus/blocks}/early-adopting-the-future.html" witsper-load-block-post) \
  || die "cannot create the block post"
code=$(http_get "$POST_PATH" "$REL_TMP/native.html" 30)
h=$(health_json)
if [[ $code == 200 ]] && jq -e '.native_parser_active == true' <<<"$h" >/dev/null 2>&1; then
  pass "baseline: block post #$POST_ID renders (200) with the native parser active"
else
  fail "baseline: block post answers $code, health: $h"
fi

# --- 1/2. MariaDB stopped, then started again ---------------------------------------------
say "--- 1. MariaDB stopped"
dbp=$(db_pid) || die "no running mariadbd in $DB_PIDFILE"
mapfile -d '' -t DB_CMD <"/proc/$dbp/cmdline"
master=$(fpm_master_pid)
mark=$(log_mark "$WITSPER_FPM_LOG")
kill -TERM "$dbp"
wait_for 60 bash -c "! kill -0 $dbp 2>/dev/null" || fail "mariadbd did not stop in 60 s"
ok=1
for p in / "$POST_PATH" /?p="$POST_ID"; do
  c=$(http_get "$p" "$REL_TMP/dbdown.html" 20)
  if [[ $c != 500 ]] || ! grep -q 'Error establishing a database connection' "$REL_TMP/dbdown.html"; then
    ok=0; say "    $p answered $c: $(head -c 200 "$REL_TMP/dbdown.html" | tr '\n' ' ')"
  fi
done
check "DB down: pages answer HTTP 500 'Error establishing a database connection'" test $ok -eq 1
n=$(count_exits_since "$mark")
check "DB down: 0 worker exits ($n) and the same php-fpm master" test "$n" -eq 0 -a "$(fpm_master_pid)" = "$master"
check "DB down: fpm-probe green (php-fpm itself is healthy)" fpm_ping

say "--- 2. MariaDB started again"
t0=$(date +%s.%N)
db_start
back=0
for ((i = 0; i < 40; i++)); do   # 40 x 0.25 s = 10 s
  [[ $(http_code / 5) == 200 ]] && { back=1; break; }
  sleep 0.25
done
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
check "DB back: front page 200 within 10 s of starting mariadbd (${secs}s)" test $back -eq 1
n=$(count_exits_since "$mark")
check "DB back: php-fpm not restarted (master $master) and 0 worker exits ($n)" \
  test "$(fpm_master_pid)" = "$master" -a "$n" -eq 0
wait_for 60 db_up || die "MariaDB did not come back"

# --- 3/4. One worker killed with SIGSEGV, one with SIGKILL, under light load ---------------
# The victim is the worker serving a slow request (a script that sleeps), so the in-flight
# request is known: it must fail (nginx 502) while the light load on other workers sees no
# failure at all.
write_sleeper
for sig in SEGV KILL; do
  say "--- worker killed with SIG$sig under light load"
  master=$(fpm_master_pid)
  mark=$(log_mark "$WITSPER_FPM_LOG")
  probe_watch "$REL_TMP/probe-$sig.log"
  light_load "kill-$sig" 6
  curl -s -o /dev/null -w '%{http_code}' --max-time 40 "$WITSPER_URL/witsper-fault-sleep.php" >"$REL_TMP/inflight-$sig" &
  CURL_PID=$!; BG_PIDS+=("$CURL_PID")
  victim=
  for ((i = 0; i < 50 && ${#victim} == 0; i++)); do
    sleep 0.1
    victim=$(fpm_status_json 2>/dev/null | jq -r '[.processes[]? | select(.state == "Running")
             | select((.["request uri"] // "") | test("witsper-fault-sleep")) | .pid][0] // empty' 2>/dev/null || true)
  done
  if [[ -z $victim ]]; then
    fail "SIG$sig: no worker was seen running the slow request"; wait "$LOAD_PID" "$CURL_PID" || true
    kill "$WATCH_PID" 2>/dev/null || true; continue
  fi
  sleep 1
  before=$(pool_workers | wc -l)
  kill -"$sig" "$victim"
  wait "$CURL_PID" || true
  wait "$LOAD_PID" || true
  kill "$WATCH_PID" 2>/dev/null || true; wait "$WATCH_PID" 2>/dev/null || true
  signame=$([[ $sig == SEGV ]] && echo 'signal 11 (SIGSEGV' || echo 'signal 9 (SIGKILL')
  check "SIG$sig: php-fpm logged worker $victim 'exited on $signame)'" \
    bash -c "tail -c +$((mark + 1)) '$WITSPER_FPM_LOG' | grep -q 'child $victim exited on $signame'"
  after=$(pool_workers | wc -l)
  check "SIG$sig: the master ($master) is the same and replaced the worker ($before workers before, $after after)" \
    test "$(fpm_master_pid)" = "$master" -a "$after" -ge 1 -a ! -d "/proc/$victim"
  reds=$(wc -l <"$REL_TMP/probe-$sig.log")
  check "SIG$sig: fpm-probe stayed green during the kill ($reds red pings)" test "$reds" -eq 0
  inflight=$(cat "$REL_TMP/inflight-$sig")
  check "SIG$sig: the in-flight request failed cleanly (nginx answered $inflight)" test "$inflight" = 502
  bad=$(wrk_bad "kill-$sig")
  check "SIG$sig: no other request failed ($bad failed of $(wrk_requests "kill-$sig") under light load)" test "$bad" -eq 0
  check "SIG$sig: the next request is served (200)" test "$(http_code / 20)" = 200
  # A busy worker killed by someone other than the master is a crash, SIGKILL included: the
  # classifier that verify and the load suites use must say so (it is not php-fpm's).
  check "SIG$sig: stack/fpm-exits.php counts worker $victim as a crash" \
    exits_match "$mark" "^CRASH .*child $victim exited"
done

# --- 4b. php-fpm's own SIGKILL: an idle child slow to leave ---------------------------------
# php-fpm's maintenance sends an idle child it retires SIGQUIT, and SIGKILL on its next pass
# (~1 s later) if the child is still there (fpm_pctl_kill_idle_child). Two busy cores can make
# a child that slow; a stopped one is slow for sure. The status listener's pool retires its
# child after 10 s idle: stop that child, and the master's own kill() calls (traced) must show
# SIGQUIT then SIGKILL, and the classifier must count the exit as php-fpm's, not a crash.
say "--- php-fpm's own SIGKILL of an idle child that does not leave (status pool, 10 s idle)"
master=$(fpm_master_pid)
mark=$(log_mark "$WITSPER_FPM_LOG")
before=$(pgrep -P "$master" | sort)
"$FPM_PROBE" status --connect "$WITSPER_FPM_STATUS" >/dev/null 2>&1 || true
sleep 0.3
status_child=
for p in $(comm -13 <(echo "$before") <(pgrep -P "$master" | sort)); do
  grep -q '_status' "/proc/$p/cmdline" 2>/dev/null && status_child=$p
done
if [[ -z $status_child ]]; then
  # An earlier probe's child may still be idle: that one is the status pool's child then.
  for p in $(pgrep -P "$master"); do grep -q '_status' "/proc/$p/cmdline" 2>/dev/null && status_child=$p; done
fi
if [[ -z $status_child ]]; then
  fail "php-fpm's own SIGKILL: no status-pool child found"
else
  kill -STOP "$status_child"
  check "php-fpm's own SIGKILL: the master killed the stopped idle status child $status_child within 20 s" \
    wait_for 20 bash -c "tail -c +$((mark + 1)) '$WITSPER_FPM_LOG' | grep -q 'child $status_child exited on signal 9 (SIGKILL)'"
  cat "$REL_TMP"/kill-trace.* >"$REL_TMP/kill-traces" 2>/dev/null || true
  check "php-fpm's own SIGKILL: the master's traced kill() calls show SIGQUIT, then SIGKILL to $status_child" \
    bash -c "grep -A5 'kill($status_child, SIGQUIT)' '$REL_TMP/kill-traces' | grep -q 'kill($status_child, SIGKILL)'"
  check "php-fpm's own SIGKILL: stack/fpm-exits.php counts it as php-fpm's scale-down, not a crash" \
    exits_match "$mark" "^SCALEDOWN .*child $status_child exited" "^fpm-exits: crashes 0,"
fi

# --- 5. Repeated crashes: emergency restart ------------------------------------------------
say "--- repeated SIGSEGV: emergency restart"
conf=$(cat "$WITSPER_VAR/etc/php-fpm.conf" "$POOL_DIR"/*.conf 2>/dev/null)
threshold=$(sed -n 's/^[[:space:]]*emergency_restart_threshold[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' <<<"$conf" | tail -n 1)
interval=$(sed -n 's/^[[:space:]]*emergency_restart_interval[[:space:]]*=[[:space:]]*\([0-9a-z]*\).*/\1/p' <<<"$conf" | tail -n 1)
if [[ -z $threshold || $threshold -eq 0 ]]; then
  fail "emergency_restart_threshold is not set in the rendered php-fpm config"
else
  mark=$(log_mark "$WITSPER_FPM_LOG")
  killed=0
  # One more than the threshold, each on a live worker, well inside the interval ($interval).
  for ((i = 0; i < threshold + 2 && killed <= threshold; i++)); do
    w=$(pool_workers | head -n 1 || true)
    [[ -n $w ]] && kill -SEGV "$w" 2>/dev/null && killed=$((killed + 1))
    log_since "$WITSPER_FPM_LOG" "$mark" | grep -q 'failed processes threshold' && break
    sleep 0.3
  done
  check "emergency restart: $killed SIGSEGVs within $interval logged 'failed processes threshold ($threshold in $interval) is reached, initiating reload'" \
    wait_for 10 bash -c "tail -c +$((mark + 1)) '$WITSPER_FPM_LOG' | grep -q 'failed processes threshold'"
  check "emergency restart: the pool serves again within 30 s (fpm-probe green, front page 200)" wait_fpm_up 60
fi

# --- 6-9. The native path unavailable: same HTML through the PHP parser ----------------------
# A library whose witsper_abi() answers 999: the library's own sources, built in a temp dir
# with only the ABI constant changed (it is an enum in the header, so no -D can change it).
build_abi999() {
  local d=$REL_TMP/abi999
  mkdir -p "$d"
  cp -r native/src native/include "$d/"
  sed -i -E 's/WITSPER_ABI = 1\b/WITSPER_ABI = 999/' "$d/include/witsper.h"
  grep -q 'WITSPER_ABI = 999' "$d/include/witsper.h" || return 1
  ${CC:-cc} -std=c11 -O2 -fPIC -fvisibility=hidden -DWITSPER_BUILDING -I"$d/include" -I"$d/src" \
    -shared -Wl,-soname,libwitsper.so.1 -o "$d/libwitsper.so.1" "$d"/src/*.c 2>"$d/build.log" || { cat "$d/build.log"; return 1; }
  chmod -R a+rX "$d"
  # shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's, not the shell's
  [[ $(php -n -d extension=ffi -d ffi.enable=1 -r '
      $f = FFI::cdef("int witsper_abi(void);", $argv[1]); echo $f->witsper_abi();' "$d/libwitsper.so.1" 2>/dev/null \
      || php -d ffi.enable=1 -r '$f = FFI::cdef("int witsper_abi(void);", $argv[1]); echo $f->witsper_abi();' "$d/libwitsper.so.1") == 999 ]]
}
printf 'ffi.enable = 0\n' >"$REL_TMP/ffi-off.ini"
printf 'ffi.enable = preload\nffi.preload =\nopcache.preload =\n' >"$REL_TMP/ffi-restricted.ini"
chmod 644 "$REL_TMP"/*.ini
scenarios=("library missing|library-missing|WITSPER_LIB=$REL_TMP/no-such-dir/libwitsper.so.1")
if build_abi999; then
  scenarios+=("ABI differs (999)|abi-mismatch|WITSPER_LIB=$REL_TMP/abi999/libwitsper.so.1")
else
  fail "could not build a libwitsper with ABI 999 from native/ sources"
fi
scenarios+=("FFI disabled (ffi.enable=0)|ffi-disabled|WITSPER_PHP_EXTRA_INI=$REL_TMP/ffi-off.ini"
            "FFI restricted (ffi.enable=preload, nothing preloaded)|ffi-restricted|WITSPER_PHP_EXTRA_INI=$REL_TMP/ffi-restricted.ini")
for s in "${scenarios[@]}"; do
  IFS='|' read -r what reason override <<<"$s"
  say "--- $what"
  # The FFI mode is "true" for these: in preload mode the stack refuses to start without its
  # library (ffi.preload), and the point here is a site that keeps serving.
  if ! fpm_restart WITSPER_FFI_MODE=true WITSPER_FPM_MAX_REQUESTS=0 "$override"; then
    fail "$what: php-fpm did not start"; continue
  fi
  mark=$(log_mark "$WITSPER_FPM_LOG")
  code=$(http_get "$POST_PATH" "$REL_TMP/fallback.html" 30)
  if [[ $code == 200 ]] && cmp -s "$REL_TMP/native.html" "$REL_TMP/fallback.html"; then
    pass "$what: block post 200 with the same HTML as the native render ($(wc -c <"$REL_TMP/fallback.html") bytes)"
  else
    fail "$what: block post answered $code, HTML differs: $(diff "$REL_TMP/native.html" "$REL_TMP/fallback.html" | head -n 6 | tr '\n' ' ')"
  fi
  h=$(health_json)
  # shellcheck disable=SC2016  # jq program: its $ variables are jq's (--arg/--argjson), not the shell's
  check "$what: health route says native_parser_active=false, reason=$reason ($(jq -r '.reason_text // .reason // "no reason"' <<<"$h" 2>/dev/null | head -c 120))" \
    jqt --arg r "$reason" '.native_parser_active == false and .reason == $r' <<<"$h"
  for ((i = 0; i < 10; i++)); do http_code "$POST_PATH" 30 >/dev/null; done
  n=$(count_exits_since "$mark")
  check "$what: 0 worker exits after 11 renders ($n)" test "$n" -eq 0
done

# --- 10. request_terminate_timeout ------------------------------------------------------------
say "--- a request past request_terminate_timeout (3 s for this test)"
nginx_timeout=$(grep -rhoE 'fastcgi_read_timeout[[:space:]]+[0-9]+' "$WITSPER_VAR/etc/nginx" 2>/dev/null | awk '{print $2}' | sort -n | tail -n 1)
printf '; Written by tests/faults/run.sh for one scenario, removed by its trap.\n[www]\nrequest_terminate_timeout = 3s\n; php-fpm refuses a slowlog timeout above the terminate timeout.\nrequest_slowlog_timeout = 0\n' >"$DROPIN"
write_sleeper
chmod 644 "$DROPIN"
if fpm_restart WITSPER_FFI_MODE=true WITSPER_FPM_MAX_REQUESTS=0; then
  mark=$(log_mark "$WITSPER_FPM_LOG")
  nmark=$(log_mark "$WITSPER_NGINX_ERROR_LOG")
  t0=$(date +%s.%N)
  code=$(http_get /witsper-fault-sleep.php "$REL_TMP/sleep.out" 60)
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  check "timeout: answered $code after ${secs}s: 502/504, after >= 3 s and well before nginx's fastcgi_read_timeout (${nginx_timeout:-?} s)" \
    awk -v c="$code" -v s="$secs" -v n="${nginx_timeout:-60}" 'BEGIN { exit !((c == 502 || c == 504) && s >= 2.9 && s < 15 && s < n) }'
  check "timeout: the script never finished (no 'finished' in the body)" bash -c "! grep -q finished '$REL_TMP/sleep.out'"
  check "timeout: php-fpm logged 'execution timed out' and terminated the worker" \
    wait_for 5 bash -c "tail -c +$((mark + 1)) '$WITSPER_FPM_LOG' | grep -q 'execution timed out'"
  check "timeout: nginx saw php-fpm close the request (not its own 'upstream timed out')" \
    bash -c "tail -c +$((nmark + 1)) '$WITSPER_NGINX_ERROR_LOG' | grep -q 'witsper-fault-sleep' && ! tail -c +$((nmark + 1)) '$WITSPER_NGINX_ERROR_LOG' | grep -q 'upstream timed out'"
  check "timeout: the next request is served (200)" test "$(http_code / 20)" = 200
  check "timeout: stack/fpm-exits.php counts the SIGTERM as request_terminate_timeout, not a crash" \
    exits_match "$mark" "^TIMEOUT " "^fpm-exits: crashes 0,"
else
  fail "timeout: php-fpm did not start with the 3 s drop-in"
fi
rm -f "$DROPIN" "$SLEEPER"

summary
