#!/usr/bin/env bash
# `make verify`: the user's four checks (and the plugin/library checks) against the running
# stack, one PASS/FAIL line each, then "N passed, N failed"; exit 1 on any failure.
#   - FFI is loaded in the PHP that serves requests: asked through php-fpm itself (fpm-probe
#     sends FastCGI straight to the pool with SCRIPT_FILENAME = stack/checks/*.php; those
#     scripts are outside the web root, nginx never serves them), not through the CLI;
#   - the worker sees memory_limit=512M, max_execution_time=300, ffi.enable as configured,
#     opcache enabled;
#   - no SIGSEGV / "exited on signal" line in the php-fpm log since php-fpm was started;
#   - curl -I of the site gives 200 (or redirects to a 200);
#   - the plugin is active, the library answers inside a worker, and
#     /wp-json/witsper/v1/health says the native parser is active.
# Native stack: reads $WITSPER_VAR/stack.env.
# Compose stack: `make verify COMPOSE=1` (or COMPOSE=1 stack/verify.sh) runs the same
# checks through `docker compose exec` in the wordpress service; the site is expected at
# http://127.0.0.1:${WITSPER_HTTP_PORT:-8080}.
set -Eeuo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"

pass=0 fail=0 skip=0
ok() { printf 'PASS  %s\n' "$*"; pass=$((pass + 1)); }
ko() { printf 'FAIL  %s\n' "$*"; fail=$((fail + 1)); }
sk() { printf 'SKIP  %s\n' "$*"; skip=$((skip + 1)); }
# check NAME COMMAND...: PASS if the command succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }

compose=${COMPOSE:-0}
[[ $compose == 0 || $compose == '' ]] && compose=0 || compose=1

if ((compose)); then
  # Compose v2 (docker compose) if the plugin is there, else the v1 docker-compose.
  if [[ -z ${WITSPER_COMPOSE_CMD:-} ]]; then
    WITSPER_COMPOSE_CMD='docker compose'
    docker compose version >/dev/null 2>&1 || WITSPER_COMPOSE_CMD=docker-compose
  fi
  read -r -a dc <<<"$WITSPER_COMPOSE_CMD"
  cd "$WITSPER_ROOT"
  if [[ -z $("${dc[@]}" ps -q wordpress 2>/dev/null) ]]; then
    echo "FAIL  the Compose stack runs (no wordpress container: docker compose up -d --build)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  url=http://127.0.0.1:${WITSPER_HTTP_PORT:-8080}
  checks_dir=/usr/local/share/witsper/checks
  wp_host=127.0.0.1:${WITSPER_HTTP_PORT:-8080}
  # fpm-probe is installed in the image (/usr/local/bin); the pool listens on 9000, its
  # status listener on 9001, inside the container.
  probe() { "${dc[@]}" exec -T wordpress fpm-probe "$@"; }
  pool=(--host 127.0.0.1 --port 9000)
  status_listener=(--host 127.0.0.1 --port 9001)
  expected_mode=$("${dc[@]}" exec -T wordpress printenv WITSPER_FFI_MODE 2>/dev/null || echo true)
  fpm_log_since_start() { "${dc[@]}" logs --no-color wordpress 2>&1; }
  plugin_expected=1
else
  load_stack_env || { echo "FAIL  no stack in $WITSPER_VAR (run make up)"; echo "0 passed, 1 failed"; exit 1; }
  url=$WITSPER_URL
  checks_dir=$WITSPER_ROOT/stack/checks
  wp_host=${WITSPER_URL#http://}
  probe() { "$PROBE_BIN" "$@"; }
  pool=(--host 127.0.0.1 --port "$WITSPER_FPM_PORT")
  status_listener=(--host 127.0.0.1 --port "$WITSPER_FPM_STATUS_PORT")
  expected_mode=$WITSPER_FFI_MODE
  # Crash lines count from the last start of php-fpm by stack/up.sh or fpm-restart.sh
  # (their marker line): a fault test that crashed workers on purpose and then restarted
  # php-fpm does not fail every later verify. Emergency restarts are no start by us.
  fpm_log_since_start() {
    awk '/WITSPER: php-fpm started by/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' \
      "$WITSPER_FPM_LOG"
  }
  plugin_expected=0
  [[ -d $PLUGIN_DIR ]] && plugin_expected=1
  if [[ ! -x $PROBE_BIN ]]; then
    ko "fpm-probe is built ($PROBE_BIN missing: run make probe)"
    echo "$pass passed, $fail failed"
    exit 1
  fi
fi

# request NAME: run stack/checks/NAME.php inside a worker, print its JSON body.
request() {
  probe request "$checks_dir/$1.php" "${pool[@]}" --param "HTTP_HOST=$wp_host" \
    --timeout-ms 20000 2>/dev/null | grep -m1 '^{'
}
# field JSON FILTER: jq -r, empty on bad JSON.
field() { jq -r "$2" <<<"$1" 2>/dev/null || true; }

echo "verify: $url (ffi.enable expected: $expected_mode)"

# 1. php-fpm answers, on its status listener (the one that answers even when saturated).
if probe ping "${status_listener[@]}" >/dev/null 2>&1; then ok "php-fpm answers ping on its status listener"
else ko "php-fpm answers ping on its status listener"; fi
status_json=$(probe status "${status_listener[@]}" --busy-ok 2>/dev/null || true)
state=$(field "$status_json" '.state // empty')
if [[ $state == green || $state == busy ]]; then
  ok "php-fpm pool status $state ($(field "$status_json" '"\(.total_processes) workers, \(.idle_processes) idle, max_children_reached \(.max_children_reached)"'))"
else ko "php-fpm pool status readable (got '${state:-nothing}')"; fi

# 2. FFI loaded in the PHP that serves requests, and the ini values the worker sees.
w=$(request worker || true)
if [[ -z $w ]]; then
  ko "check script runs in a php-fpm worker (no answer from $checks_dir/worker.php)"
else
  sapi=$(field "$w" .sapi)
  [[ $sapi == fpm-fcgi ]] && ok "answer came from a php-fpm worker (sapi $sapi, pid $(field "$w" .pid), user $(field "$w" .user))" ||
    ko "answer came from a php-fpm worker (sapi '$sapi')"
  [[ $(field "$w" .uid) == 33 ]] && ok "workers run as www-data (uid 33), not root" ||
    ko "workers run as www-data (uid 33), not root (uid '$(field "$w" .uid)')"
  [[ $(field "$w" .ffi_loaded) == true ]] && ok "FFI extension loaded in the worker" ||
    ko "FFI extension loaded in the worker (extension_loaded('ffi') is false)"
  v=$(field "$w" .memory_limit)
  [[ $v == 512M ]] && ok "worker memory_limit = 512M" || ko "worker memory_limit = 512M (got '$v')"
  v=$(field "$w" .max_execution_time)
  [[ $v == 300 ]] && ok "worker max_execution_time = 300" || ko "worker max_execution_time = 300 (got '$v')"
  v=$(field "$w" .ffi_enable)
  # "true" may read back as "1" when written as a bare word in an ini file.
  norm=$v
  [[ $v == 1 || ${v,,} == on || ${v,,} == yes ]] && norm=true
  if [[ $norm == "$expected_mode" ]]; then
    if [[ $expected_mode == preload && -z $(field "$w" .ffi_preload) ]]; then
      ko "worker ffi.enable = preload, with ffi.preload set (ffi.preload is empty)"
    else
      extra=''
      [[ $expected_mode == preload ]] && extra=" (ffi.preload $(field "$w" .ffi_preload))"
      ok "worker ffi.enable = $expected_mode$extra"
    fi
  else
    ko "worker ffi.enable = $expected_mode (got '$v')"
  fi
  [[ $(field "$w" .opcache_enabled) == true ]] && ok "opcache enabled in the worker" ||
    ko "opcache enabled in the worker"
fi

# 3. No worker crashed since php-fpm was started.
crashes=$(fpm_log_since_start | grep -cE 'SIGSEGV|exited on signal' || true)
if ((crashes == 0)); then ok "no SIGSEGV / 'exited on signal' lines in the php-fpm log"
else
  ko "no SIGSEGV / 'exited on signal' lines in the php-fpm log ($crashes found:)"
  fpm_log_since_start | grep -E 'SIGSEGV|exited on signal' | tail -n 3 | sed 's/^/      /'
fi

# 4. The site answers curl -I with 200, or with redirects that end in a 200.
code=$(curl -sI -L --max-redirs 5 --max-time 30 -o /dev/null -w '%{http_code}' "$url/" || true)
[[ $code == 200 ]] && ok "curl -I $url/ -> 200" || ko "curl -I $url/ -> 200 (got ${code:-nothing})"

# 5. Plugin and library (once the plugin exists, which it must by the end).
if ((!plugin_expected)); then
  sk "plugin checks: $PLUGIN_DIR does not exist yet"
else
  wpj=$(request wordpress || true)
  if [[ -z $wpj ]]; then
    ko "WordPress boots in a worker (no answer from $checks_dir/wordpress.php)"
  else
    if [[ $(field "$wpj" .multisite) == true ]]; then
      [[ $(field "$wpj" .network_active) == true ]] && ok "plugin witsper-ffi network-active" ||
        ko "plugin witsper-ffi network-active"
    else
      [[ $(field "$wpj" .plugin_active) == true ]] && ok "plugin witsper-ffi active" ||
        ko "plugin witsper-ffi active (present: $(field "$wpj" .plugin_present))"
    fi
    h_name="wp-config hardening (DISALLOW_FILE_EDIT, AUTOMATIC_UPDATER_DISABLED, WP_HTTP_BLOCK_EXTERNAL, no WP_DEBUG_DISPLAY; WordPress $(field "$wpj" .wp_version))"
    [[ $(field "$wpj" .hardening) == true ]] && ok "$h_name" || ko "$h_name"
  fi
  n=$(request native || true)
  if [[ $(field "$n" .answers) == true ]]; then
    ok "libwitsper answers inside a worker (version $(field "$n" .version), ABI $(field "$n" .status.abi), mode $(field "$n" .status.mode), pid $(field "$n" .pid))"
  else
    ko "libwitsper answers inside a worker ($(field "$n" '.error // .status.message // .status.reason // "no answer"'))"
  fi
  h=$(curl -s --max-time 30 "$url/wp-json/witsper/v1/health" || true)
  if [[ $(field "$h" .native_parser_active) == true && $(field "$h" .ffi_mode) == "$expected_mode" ]]; then
    ok "$url/wp-json/witsper/v1/health: native parser active (mode $(field "$h" .ffi_mode), library $(field "$h" .library_version), pid $(field "$h" .pid))"
  else
    ko "$url/wp-json/witsper/v1/health: native parser active in mode $expected_mode (got: ${h:0:200})"
  fi
fi

echo "$pass passed, $fail failed${skip:+, $skip skipped}"
((fail == 0))
