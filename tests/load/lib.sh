# shellcheck shell=bash
# Shared helpers of the reliability suites (tests/load, tests/faults, tests/security).
# Sourced, not run. Everything about the stack is read from its stack.env
# (${WITSPER_VAR:-<repo>/var}/stack.env), so the suites run against whichever stack wrote it:
# the main one under `make test`, or a private one (other ports, other WITSPER_VAR) while
# developing. Every network call goes to 127.0.0.1 and has a time limit.

REL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$REL_DIR/../.." && pwd)
# shellcheck source=stack/env.sh
. "$REPO/stack/env.sh"
# pass/fail/skip/check/summary: the shared protocol.
# shellcheck source=tests/lib/harness.sh
. "$REPO/tests/lib/harness.sh"
die() { echo "error: $*" >&2; exit 2; }

# Loads stack.env (written by `make up`, values quoted with printf %q) into the environment.
load_stack_env() {
  STACK_ENV_FILE=${WITSPER_VAR:-$REPO/var}/stack.env
  stack_env_load "$STACK_ENV_FILE" || die "no $STACK_ENV_FILE: start the stack first (make up)"
  : "${WITSPER_URL:?stack.env has no WITSPER_URL}" "${WITSPER_WP_ROOT:?}" "${WITSPER_FPM_LOG:?}"
  : "${WITSPER_FPM_LISTEN:?stack.env has no WITSPER_FPM_LISTEN}" "${WITSPER_FPM_STATUS:?}"
  WITSPER_URL=${WITSPER_URL%/}
  HOSTPORT=${WITSPER_URL#*://}; HOSTPORT=${HOSTPORT%%/*}
  case $WITSPER_URL in http://127.0.0.1:*|http://127.0.0.1/*|http://127.0.0.1|http://localhost*) ;;
    *) die "WITSPER_URL=$WITSPER_URL is not loopback: these suites only talk to 127.0.0.1";;
  esac
  # The pool's ping and status paths, as `make up` rendered them (stack.env).
  STATUS_PATH=${WITSPER_FPM_STATUS_PATH:?stack.env has no WITSPER_FPM_STATUS_PATH: run make up}
  PING_PATH=${WITSPER_FPM_PING_PATH:?stack.env has no WITSPER_FPM_PING_PATH: run make up}
  FPM_PROBE=$REPO/probe/build/fpm-probe
  # How php-fpm ran when the suite started: the trap restores exactly this.
  ORIG_FFI_MODE=${WITSPER_FFI_MODE:-true}
  ORIG_MAX_REQUESTS=${WITSPER_FPM_MAX_REQUESTS:-}
  ORIG_MAX_SPARE=${WITSPER_FPM_MAX_SPARE_SERVERS:-}
  ORIG_LIB=${WITSPER_LIB:-}
  ORIG_EXTRA_INI=${WITSPER_PHP_EXTRA_INI:-}
}

# --- HTTP (curl, loopback, bounded) -----------------------------------------------------
# http_get PATH OUTFILE -> prints the status code ("000" when no answer)
http_get() {
  curl -s -o "$2" -w '%{http_code}' --max-time "${3:-20}" "$WITSPER_URL$1" 2>/dev/null || true
}
http_code() { http_get "$1" /dev/null "${2:-20}"; }

# --- php-fpm --------------------------------------------------------------------------------
# The master's pid: the php-fpm process listening on the pool port whose parent is not
# php-fpm (workers share the listening socket).
fpm_master_pid() {
  local port=${WITSPER_FPM_LISTEN##*:} pid pids ppid comm
  pids=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
  for pid in $pids; do
    ppid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || continue
    comm=$(cat "/proc/$ppid/comm" 2>/dev/null || true)
    [[ $comm == php-fpm* ]] || { echo "$pid"; return 0; }
  done
  return 1
}
fpm_workers() { local m; m=$(fpm_master_pid) || return 1; pgrep -P "$m" | sort -n; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# fcgi HOST:PORT SCRIPT [QUERY] [SCRIPT_NAME] [TIMEOUT]: one FastCGI request, raw CGI output.
fcgi() { php -n "$REL_DIR/fcgi.php" "$@"; }
fcgi_body() { fcgi "$@" | sed '1,/^\r\{0,1\}$/d'; }
# The pool's full status as JSON (one entry per worker: pid, requests, state ...).
fpm_status_json() { fcgi_body "$WITSPER_FPM_STATUS" "$STATUS_PATH" 'full&json' "$STATUS_PATH" 10; }
# The pool's workers as the pool itself reports them (pm.status_listen's own hidden pool has
# a process of its own, which the fault tests must not kill: fpm-probe talks to it).
pool_workers() { fpm_status_json 2>/dev/null | jq -r '.processes[]?.pid' 2>/dev/null | sort -n; }
fpm_ping() {
  if [[ -x $FPM_PROBE ]]; then
    "$FPM_PROBE" ping --host "${WITSPER_FPM_STATUS%:*}" --port "${WITSPER_FPM_STATUS##*:}" --path "$PING_PATH" --timeout-ms 2000 >/dev/null 2>&1
  else
    fcgi_body "$WITSPER_FPM_STATUS" "$PING_PATH" '' "$PING_PATH" 5 2>/dev/null | grep -q pong
  fi
}
wait_fpm_up() { local i; for ((i = 0; i < ${1:-60}; i++)); do
  fpm_ping && [[ $(http_code / 20) == 200 ]] && return 0; sleep 0.5; done; return 1; }

# Worker memory (the load, soak and live media suites): per pid, so a worker that php-fpm
# replaced is not mistaken for one that grew.
# snapshot FILE: "pid rss_kb anon_kb requests" for every pool worker (the status listener's
# own process has no entry in the pool's status and is skipped).
snapshot() {
  local out=$1 json pid r
  json=$(fpm_status_json 2>/dev/null || true)
  : >"$out"
  for pid in $(fpm_workers); do
    r=$(jq -r --argjson p "$pid" '.processes[]? | select(.pid == $p) | .requests' <<<"$json" 2>/dev/null || true)
    [[ -n $r ]] || continue
    echo "$pid $(rss_kb "$pid") $(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0) $r" >>"$out"
  done
}
# growth A B [PER [MINREQ]]: joins two snapshots on pid (workers alive in both) and prints
# "workers rss_start_mean_mb rss_end_mean_mb requests growth_mb_per_PER anon_growth_mb_per_PER"
# (PER requests, default 10,000; the media suite judges per 100 uploads). MINREQ: only the
# workers that had served at least that many requests at A (past their first-use growth).
growth() {
  join <(sort "$1") <(sort "$2") | awk -v per="${3:-10000}" -v min="${4:-0}" '
    $4 < min { next }
    { n++; s0 += $2; s1 += $5; a0 += $3; a1 += $6; req += $7 - $4 }
    END {
      if (n == 0) { print "0 0 0 0 NA NA"; exit }
      g = (req > 0 ? (s1 - s0) / 1024 / req * per : 0)
      ga = (req > 0 ? (a1 - a0) / 1024 / req * per : 0)
      printf "%d %.1f %.1f %d %.3f %.3f\n", n, s0 / n / 1024, s1 / n / 1024, req, g, ga
    }'
}
worker_table() {
  join <(sort "$1") <(sort "$2") | awk '{ printf "| %s | %.1f | %.1f | %+d | %d |\n", $1, $2/1024, $5/1024, $5-$2, $7-$4 }'
}

# Log positions: only what a test itself caused is counted.
log_mark() { stat -c %s "$1" 2>/dev/null || echo 0; }
log_since() { tail -c +$(( $2 + 1 )) "$1" 2>/dev/null || true; }
# php-fpm's own signals to its workers while a suite runs: the master's kill() calls, traced
# with strace (the master alone, not its workers: it makes a few system calls a second). A
# trace ends by itself when its master exits; with TRACE_KILLS=1 (the load and fault suites)
# fpm_restart starts one for each new master, and the suite's trap calls kill_trace_stop.
# stack/fpm-exits.php reads them to tell php-fpm's scale-down SIGKILLs from crashes.
kill_trace_start() {
  local m
  command -v strace >/dev/null || return 0
  m=$(fpm_master_pid) || return 0
  [[ -e $REL_TMP/kill-trace.$m ]] && return 0
  strace -q -tt -e trace=kill -p "$m" -o "$REL_TMP/kill-trace.$m" 2>/dev/null &
  KILL_TRACERS+=($!)
  sleep 0.3   # attached before the suite goes on
}
kill_trace_stop() { local p; for p in "${KILL_TRACERS[@]}"; do kill "$p" 2>/dev/null || true; done; KILL_TRACERS=(); }
KILL_TRACERS=()

# fpm_exits_since MARK: stack/fpm-exits.php over what the php-fpm log gained since MARK, with
# the kill traces (or, without strace, the nginx error log) as evidence. Prints its lines.
fpm_exits_since() {
  local ev
  if command -v strace >/dev/null; then
    cat "$REL_TMP"/kill-trace.* >"$REL_TMP/kill-traces" 2>/dev/null || : >"$REL_TMP/kill-traces"
    ev=(--kill-trace="$REL_TMP/kill-traces")
  else
    ev=(--nginx-error-log="${NGINX_ERROR_LOG:-$WITSPER_VAR/log/nginx-error.log}")
  fi
  log_since "$WITSPER_FPM_LOG" "$1" | php "$REPO/stack/fpm-exits.php" "${ev[@]}" || true
}
# Crashes since MARK: SIGSEGV/SIGBUS/SIGABRT/..., or a SIGKILL the master did not send.
count_crashes_since() { fpm_exits_since "$1" | sed -n 's/^fpm-exits: crashes \([0-9]*\),.*/\1/p'; }
# php-fpm's own scale-down SIGKILLs since MARK (reported, not failed).
count_scaledown_since() { fpm_exits_since "$1" | sed -n 's/^fpm-exits: .*scale-down kills \([0-9]*\) .*/\1/p'; }
# Worker exits of any kind except the idle SIGQUIT (crash, exit code, timeout kill).
count_exits_since() {
  log_since "$WITSPER_FPM_LOG" "$1" | grep -E 'child [0-9]+ exited' \
    | grep -vc 'exited on signal 3 (SIGQUIT)' || true
}

# fpm_restart [KEY=VALUE...]: restart only php-fpm (stack/fpm-restart.sh), with the settings
# the stack had when the suite started (stack.env) plus the given overrides. Only the keys
# that say how php-fpm runs are passed: the stack reads them from the environment on every
# restart, and an override must never leak into the next restart.
fpm_restart() {
  env WITSPER_VAR="$WITSPER_VAR" WITSPER_FFI_MODE="$ORIG_FFI_MODE" \
      WITSPER_FPM_MAX_REQUESTS="$ORIG_MAX_REQUESTS" WITSPER_FPM_MAX_SPARE_SERVERS="$ORIG_MAX_SPARE" \
      WITSPER_LIB="$ORIG_LIB" \
      WITSPER_PHP_EXTRA_INI="$ORIG_EXTRA_INI" "$@" \
      "$REPO/stack/fpm-restart.sh" >"${REL_TMP:-/tmp}/fpm-restart.log" 2>&1 \
    || { cat "${REL_TMP:-/tmp}/fpm-restart.log" >&2; return 1; }
  wait_fpm_up 60 || return 1
  if (( ${TRACE_KILLS:-0} )); then kill_trace_start; fi
}

# jqt FILTER [ARGS]: jq as a test (exit status only).
jqt() { jq -e "$@" >/dev/null 2>&1; }

# --- WordPress (PHP CLI through wp-load.php) ------------------------------------------------
wp_php() {
  php -d ffi.enable=preload "$REL_DIR/wp.php" "$WITSPER_WP_ROOT" "$HOSTPORT" "$@"
}
plugin_state() { wp_php plugin-state 2>/dev/null || echo unknown; }
plugin_set() { [[ $(wp_php "plugin-$1" 2>&1 | tail -n 1) == "$2" ]]; }

# The health route's JSON (witsper-ffi REST), or empty.
health_json() { curl -s --max-time 10 "$WITSPER_URL/wp-json/witsper/v1/health" 2>/dev/null || true; }
