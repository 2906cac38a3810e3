#!/usr/bin/env bash
# test-probe-live: fpm-probe against the running native stack (make up).
#   green  ping (pool and status listener), status JSON checked against /proc,
#          request of tiny scripts (token echo, POST, status codes, missing
#          script, the native library inside a worker)
#   advise numbers consistent with /proc and with its own arithmetic
#   busy   every worker held by a long request: status says busy (exit 2),
#          ping on the status listener stays green, the pool itself does not
#          answer, thresholds and --state work, everything recovers
#   red    php-fpm stopped: ping/status/request exit 1 at the first check,
#          fast; php-fpm restarted with stack/fpm-restart.sh (also in a trap)
# Reads $WITSPER_VAR/stack.env (WITSPER_VAR defaults to <repo>/var).
# Bounded: about 20 s; max_children + 2 requests held, 40 s at most each.
# Ends with "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/tests/probe
export WITSPER_VAR=${WITSPER_VAR:-$root/var}
probe=$root/probe/build/fpm-probe

# shellcheck source=tests/lib/harness.sh
. "$root/tests/lib/harness.sh"

if [[ ! -r $WITSPER_VAR/stack.env ]]; then
  fail "no stack: $WITSPER_VAR/stack.env missing (run make up)"
  summary; exit 1
fi
# Exported, so that stack/fpm-restart.sh restarts php-fpm exactly as it was
# (FFI mode, extra ini, library, max_requests, ports).
# shellcheck source=stack/env.sh
. "$root/stack/env.sh"
stack_env_load "$WITSPER_VAR/stack.env"
[[ -x $probe ]] || make -s -C "$root/probe" >/dev/null
for tool in jq awk; do
  command -v "$tool" >/dev/null || { fail "$tool is installed"; summary; exit 1; }
done

pool=(--connect "$WITSPER_FPM_LISTEN")
statl=(--connect "$WITSPER_FPM_STATUS")
tmp=$(mktemp -d)
sleepers=()
reldir=''
stopped_fpm=0

fpm_master() { local p; p=$(cat "$WITSPER_FPM_PID" 2>/dev/null) || return 1
  [[ $p =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && echo "$p"; }

# php-fpm back to running (if this test stopped it) and no held worker left.
cleanup() {
  local rc=$? p
  # free the held workers first, then the clients
  [[ -n ${reldir:-} && -d $reldir ]] && touch "$reldir/release"
  for p in "${sleepers[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${sleepers[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -n ${reldir:-} ]] && rm -rf "$reldir"
  if (( stopped_fpm )) && ! fpm_master >/dev/null; then
    echo "cleanup: restarting php-fpm"
    "$root/stack/fpm-restart.sh" >"$tmp/restart-trap.log" 2>&1 ||
      { echo "cleanup: fpm-restart.sh failed:"; tail -n 20 "$tmp/restart-trap.log"; }
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run NAME WANT_RC CMD...: runs CMD, stdout in $out, stderr in $err, rc in $rc
run() {
  local name=$1 want=$2; shift 2
  rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  out=$(cat "$tmp/out") err=$(cat "$tmp/err")
  if (( rc == want )); then pass "$name (exit $rc)"
  else fail "$name: exit $rc, want $want; stdout: ${out:0:300}; stderr: ${err:0:300}"; fi
}
jqe() { jq -e "$@" >/dev/null; } # jq -e, quiet

# Workers of the pool, from /proc: children of the master named "pool www".
pool_pids() { local m; m=$(fpm_master) || return 0
  ps -o pid=,args= --ppid "$m" | awk '$2 == "php-fpm:" && $3 == "pool" && $4 !~ /_status$/ {print $1}'; }

echo "fpm-probe live: pool $WITSPER_FPM_LISTEN, status listener $WITSPER_FPM_STATUS"
if ! fpm_master >/dev/null; then
  fail "php-fpm is running (pid file $WITSPER_FPM_PID)"; summary; exit 1
fi

# ------------------------------------------------------------------ green ---
run "ping on the status listener" 0 "$probe" ping "${statl[@]}"
check "ping says green" grep -q '^green: ping' <<<"$out"
run "ping on the pool" 0 "$probe" ping "${pool[@]}"
run "ping with a wrong expected answer is red" 1 "$probe" ping "${statl[@]}" --expect pang
run "ping of a path that is not the ping path is red" 1 \
  "$probe" ping "${statl[@]}" --path /nope.php

run "status on the status listener" 0 "$probe" status "${statl[@]}"
st=$out
check "status is JSON with every normalized field" jqe '
  .state == "green" and (.pool | type == "string") and
  ([.process_manager, .active_processes, .idle_processes, .total_processes,
    .listen_queue, .max_listen_queue, .listen_queue_len,
    .max_children_reached, .slow_requests, .accepted_conn, .start_since]
   | all(. != null))' <<<"$st"
check "status: idle >= 1 and active + idle = total" jqe \
  '.idle_processes >= 1 and .active_processes + .idle_processes == .total_processes' <<<"$st"
# The pool's process count against /proc (pm dynamic may fork or reap a
# spare between the two looks: retry a few times).
same=0
for _ in 1 2 3 4 5; do
  n_proc=$(pool_pids | wc -l)
  n_status=$("$probe" status "${statl[@]}" --busy-ok | jq .total_processes)
  [[ $n_proc == "$n_status" ]] && { same=1; break; }
  sleep 0.3
done
check "status total_processes ($n_status) = pool workers in /proc ($n_proc)" test "$same" = 1
start1=$(jq .start_since <<<"$st")

token=t$RANDOM$RANDOM
run "request of a PHP script" 0 "$probe" request "$here/hello.php" "${pool[@]}" \
  --query "token=$token" --expect-body "token=$token"
check "the script ran in php-fpm and got the query" \
  grep -q "^probe-hello sapi=fpm-fcgi pid=[0-9]* method=GET token=$token" <<<"$out"
run "request POST with a body" 0 "$probe" request "$here/hello.php" "${pool[@]}" \
  --method POST --data "p=$token" --expect-body "method=POST token= post=$token"
run "request with a relative path" 0 \
  "$probe" request tests/probe/hello.php "${pool[@]}" --quiet
run "request: body without the expected text is red" 1 \
  "$probe" request "$here/hello.php" "${pool[@]}" --expect-body "not-$token"
run "request: HTTP 418 when 200 is expected is red" 1 \
  "$probe" request "$here/hello.php" "${pool[@]}" --query code=418
run "request: --expect-status 418" 0 \
  "$probe" request "$here/hello.php" "${pool[@]}" --query code=418 --expect-status 418
run "request of a missing script is red" 1 \
  "$probe" request "$here/no-such-script.php" "${pool[@]}"
check "missing script: php-fpm's 404 reported" grep -q 'HTTP 404' <<<"$err"
run "request: the native library answers inside a worker" 0 \
  "$probe" request "$here/native.php" "${pool[@]}" --expect-body '"available":true'
run "request: a 1 MiB cap truncates a bigger answer, exit still by status" 0 \
  "$probe" request "$here/hello.php" "${pool[@]}" --max-body 64 --quiet
check "truncation reported" grep -q 'truncated' <<<"$err"

# ----------------------------------------------------------------- advise ---
master=$(fpm_master)
run "advise --json" 0 "$probe" advise --pid-file "$WITSPER_FPM_PID" --json
adv=$out
check "advise found the master" test "$(jq .master <<<"$adv")" = "$master"
mapfile -t live < <(pool_pids | sort -n)
mapfile -t seen < <(jq '.pids[].pid' <<<"$adv" | sort -n)
check "advise measured the pool's workers (${#seen[@]} of ${#live[@]} in /proc)" \
  test "${seen[*]}" = "${live[*]}"
# Each worker's VmRSS as advise saw it vs /proc now: within 10% + 2 MiB.
close=1
while read -r pid rss; do
  now=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  (( now == 0 )) && continue # reaped meanwhile
  diff=$(( now > rss ? now - rss : rss - now ))
  (( diff <= now / 10 + 2048 )) || { close=0; echo "  pid $pid: advise $rss kB, /proc $now kB"; }
done < <(jq -r '.pids[] | "\(.pid) \(.rss_kb)"' <<<"$adv")
check "advise VmRSS per worker matches /proc" test "$close" = 1
avail=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
# shellcheck disable=SC2016  # jq program: its $ variables are jq's (--arg/--argjson), not the shell's
check "advise MemAvailable matches /proc/meminfo (10%)" jqe --argjson a "$avail" \
  '(.mem_available_kb - $a | fabs) <= $a / 10' <<<"$adv"
check "advise per worker = largest Pss + VmHWM - VmRSS of the workers" jqe \
  '.per_worker_kb == ([.pids[] | .pss_kb + .hwm_kb - .rss_kb] | max) and
   .per_worker_kb > 0 and ([.pids[] | .hwm_kb >= .rss_kb] | all)' <<<"$adv"
check "advise arithmetic: budget and max_children" jqe '
  .budget_kb == .available_kb + .workers_kb - .reserve_kb and
  .max_children == ((.budget_kb / .per_worker_kb) | floor) and
  .workers_kb == ([.pids[].pss_kb] | add)' <<<"$adv"
run "advise (text) shows the arithmetic" 0 \
  "$probe" advise --pid-file "$WITSPER_FPM_PID" --memory-limit-mb 512
check "advise text shows the worst case at memory_limit" \
  grep -qE '^worst case        = floor\([0-9.]+ / 512\) = [0-9]+ ' <<<"$out"
check "advise text ends with the recommendation" \
  grep -qE '^pm.max_children   = floor\([0-9.]+ / [0-9.]+\) = [0-9]+$' <<<"$out"
# shellcheck disable=SC2001  # sed prefixes every line; ${var//} cannot anchor at each line start
echo "$out" | sed 's/^/  | /'

# ------------------------------------------------------------------- busy ---
max_children=$(awk -F= '/^[[:space:]]*pm.max_children/ {gsub(/ /, "", $2); print $2}' \
  "$WITSPER_VAR"/etc/php-fpm.d/*.conf 2>/dev/null | tail -n 1)
[[ $max_children =~ ^[0-9]+$ ]] || max_children=20
# pm = dynamic forks workers as load grows (doubling each second), so the pool
# reaches max_children a few seconds after the requests arrive. The held
# requests end when $release appears (after the checks below), or after
# $hold s at the latest. Workers (www-data) must see the file: own dir, 755.
hold=40
reldir=$(mktemp -d /tmp/fpm-probe-live.XXXXXX)
chmod 755 "$reldir"
release=$reldir/release
echo "busy: holding all $max_children workers (+2 queued), at most $hold s"
for ((i = 0; i < max_children + 2; i++)); do
  "$probe" request "$here/sleep.php" "${pool[@]}" --query "s=$hold&release=$release" --quiet \
    --timeout-ms $(( (hold * 3 + 10) * 1000 )) >/dev/null 2>"$tmp/sleeper-$i.err" &
  sleepers+=($!)
done
rc=0 deadline=$((SECONDS + 15))
while (( SECONDS < deadline )); do
  rc=0; "$probe" status "${statl[@]}" >"$tmp/out" 2>/dev/null || rc=$?
  # shellcheck disable=SC2016  # jq program: its $ variables are jq's (--arg/--argjson), not the shell's
  (( rc == 2 )) && jqe --argjson m "$max_children" '.total_processes == $m' "$tmp/out" && break
  sleep 0.25
done
check "status says busy (exit 2) while all $max_children workers are held (got $rc)" \
  test "$rc" = 2
# shellcheck disable=SC2016  # jq program: its $ variables are jq's (--arg/--argjson), not the shell's
check "busy JSON: no idle worker, all $max_children active" jqe --argjson m "$max_children" \
  '.state == "busy" and .idle_processes == 0 and .active_processes == $m' "$tmp/out"
sed 's/^/  | /' "$tmp/out"
run "ping on the status listener is still green" 0 "$probe" ping "${statl[@]}"
run "status --busy-ok exits 0 (health checks: busy is not dead)" 0 \
  "$probe" status "${statl[@]}" --busy-ok
check "--busy-ok still reports the state" jqe '.state == "busy"' <<<"$out"
run "status --max-listen-queue 0 with requests queued" 2 \
  "$probe" status "${statl[@]}" --max-listen-queue 0
check "listen queue named as the reason ($err)" grep -q 'busy: listen queue [0-9]* > 0' <<<"$err"
run "status --max-busy-seconds 60 --state: not busy long enough" 0 \
  "$probe" status "${statl[@]}" --max-busy-seconds 60 --state "$tmp/state"
run "status --max-busy-seconds 1 --state, first look" 0 \
  "$probe" status "${statl[@]}" --max-busy-seconds 1 --state "$tmp/state"
sleep 2.2
run "status --max-busy-seconds 1 --state, 2 s later" 2 \
  "$probe" status "${statl[@]}" --max-busy-seconds 1 --state "$tmp/state"
check "busy_seconds >= 2" jqe '.busy_seconds >= 2' <<<"$out"
run "status --max-busy-seconds 1 without state samples 1 s" 2 \
  "$probe" status "${statl[@]}" --max-busy-seconds 1
run "the pool itself does not answer ping when saturated (why the status listener)" 1 \
  "$probe" ping "${pool[@]}" --timeout-ms 800
touch "$release"
held_ok=1
for i in "${!sleepers[@]}"; do
  wait "${sleepers[$i]}" || { held_ok=0; echo "  sleeper $i: $(cat "$tmp/sleeper-$i.err")"; }
done
sleepers=()
check "all $((max_children + 2)) held requests completed" test "$held_ok" = 1
rc=1 deadline=$((SECONDS + 10))
while (( SECONDS < deadline )); do
  rc=0; "$probe" status "${statl[@]}" --quiet 2>/dev/null || rc=$?
  (( rc == 0 )) && break
  sleep 0.25
done
check "green again once the requests are done" test "$rc" = 0
run "status --state after recovery" 0 \
  "$probe" status "${statl[@]}" --max-busy-seconds 1 --state "$tmp/state"
check "state reset to not busy" jqe '.busy_seconds == 0' <<<"$out"

# -------------------------------------------------------------------- red ---
master=$(fpm_master)
echo "red: stopping php-fpm (master $master)"
stopped_fpm=1
kill -TERM "$master"
for _ in $(seq 1 100); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
check "php-fpm stopped" bash -c "! kill -0 $master 2>/dev/null"
t0=$(date +%s%N)
run "ping on the status listener is red when php-fpm is stopped" 1 \
  "$probe" ping "${statl[@]}"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "red at the first check, in $ms ms (< 3000, the default timeout)" test "$ms" -lt 3000
check "red names the cause" grep -q 'red: ping .*connect' <<<"$err"
run "status is red (not busy) when php-fpm is stopped" 1 "$probe" status "${statl[@]}"
run "status --busy-ok is still red when php-fpm is stopped" 1 \
  "$probe" status "${statl[@]}" --busy-ok
run "request is red when php-fpm is stopped" 1 \
  "$probe" request "$here/hello.php" "${pool[@]}"

rs=0; "$root/stack/fpm-restart.sh" >"$tmp/restart.log" 2>&1 || rs=$?
check "php-fpm restarted by stack/fpm-restart.sh" test "$rs" = 0
(( rs == 0 )) || tail -n 20 "$tmp/restart.log"
rc=1 deadline=$((SECONDS + 10))
while (( SECONDS < deadline )); do
  rc=0; "$probe" ping "${statl[@]}" --quiet 2>/dev/null || rc=$?
  (( rc == 0 )) && break
  sleep 0.2
done
check "green again after the restart" test "$rc" = 0
fpm_master >/dev/null && stopped_fpm=0
run "status after the restart" 0 "$probe" status "${statl[@]}"
# shellcheck disable=SC2016  # jq program: its $ variables are jq's (--arg/--argjson), not the shell's
check "a fresh start (start_since $(jq .start_since <<<"$out") s < $start1 s + test time)" \
  jqe --argjson s "$start1" --argjson t "$SECONDS" '.start_since <= $t' <<<"$out"

summary
