#!/usr/bin/env bash
# `make verify`: the user's four checks (and the plugin/library checks) against the running
# stack, one PASS/FAIL line each, then "N passed, N failed"; exit 1 on any failure.
#   - FFI is loaded in the PHP that serves requests: asked through php-fpm itself (fpm-probe
#     sends FastCGI straight to the pool with SCRIPT_FILENAME = stack/checks/*.php; those
#     scripts are outside the web root, nginx never serves them), not through the CLI;
#   - the worker sees memory_limit=512M, max_execution_time=300, ffi.enable as configured,
#     opcache enabled;
#   - no crashed worker since php-fpm was started (stack/fpm-exits.php: php-fpm's own
#     scale-down SIGKILLs of idle workers are reported, not failed);
#   - curl -I of the site gives 200 (or redirects to a 200);
#   - no dangling symlink in the WordPress files, every core file present and unchanged;
#   - the plugin is active, the library answers inside a worker, and
#     /wp-json/witsper/v1/health says the native parser is active.
# Native stack: reads $WITSPER_VAR/stack.env.
# Compose stack: `make verify COMPOSE=1` (or COMPOSE=1 stack/verify.sh) runs the same
# checks through `docker compose exec` in the wordpress service; the site is expected at
# http://127.0.0.1:${WITSPER_HTTP_PORT:-8080}.
# shellcheck disable=SC2015  # whole file: 'test && ok ... || ko ...' is safe, ok only prints and counts
set -Eeuo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"

# pass/fail/skip/check/summary: the test protocol every suite uses.
# shellcheck source=tests/lib/harness.sh
. "$WITSPER_ROOT/tests/lib/harness.sh"

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
    fail "the Compose stack runs (no wordpress container: docker compose up -d --build)"
    summary; exit 1
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
  nginx_error_log() { "${dc[@]}" logs --no-color nginx 2>&1; }
  plugin_expected=1
else
  load_stack_env || { fail "a stack in $WITSPER_VAR (run make up)"; summary; exit 1; }
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
  nginx_error_log() { cat "$NGINX_ERROR_LOG"; }
  plugin_expected=0
  [[ -d $PLUGIN_DIR ]] && plugin_expected=1
  if [[ ! -x $PROBE_BIN ]]; then
    fail "fpm-probe is built ($PROBE_BIN missing: run make probe)"
    summary
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
if probe ping "${status_listener[@]}" >/dev/null 2>&1; then pass "php-fpm answers ping on its status listener"
else fail "php-fpm answers ping on its status listener"; fi
status_json=$(probe status "${status_listener[@]}" --busy-ok 2>/dev/null || true)
state=$(field "$status_json" '.state // empty')
if [[ $state == green || $state == busy ]]; then
  pass "php-fpm pool status $state ($(field "$status_json" '"\(.total_processes) workers, \(.idle_processes) idle, max_children_reached \(.max_children_reached)"'))"
else fail "php-fpm pool status readable (got '${state:-nothing}')"; fi

# 2. FFI loaded in the PHP that serves requests, and the ini values the worker sees.
w=$(request worker || true)
if [[ -z $w ]]; then
  fail "check script runs in a php-fpm worker (no answer from $checks_dir/worker.php)"
else
  sapi=$(field "$w" .sapi)
  [[ $sapi == fpm-fcgi ]] && pass "answer came from a php-fpm worker (sapi $sapi, pid $(field "$w" .pid), user $(field "$w" .user))" ||
    fail "answer came from a php-fpm worker (sapi '$sapi')"
  [[ $(field "$w" .uid) == 33 ]] && pass "workers run as www-data (uid 33), not root" ||
    fail "workers run as www-data (uid 33), not root (uid '$(field "$w" .uid)')"
  [[ $(field "$w" .ffi_loaded) == true ]] && pass "FFI extension loaded in the worker" ||
    fail "FFI extension loaded in the worker (extension_loaded('ffi') is false)"
  v=$(field "$w" .memory_limit)
  [[ $v == 512M ]] && pass "worker memory_limit = 512M" || fail "worker memory_limit = 512M (got '$v')"
  v=$(field "$w" .max_execution_time)
  [[ $v == 300 ]] && pass "worker max_execution_time = 300" || fail "worker max_execution_time = 300 (got '$v')"
  v=$(field "$w" .ffi_enable)
  # "true" may read back as "1" when written as a bare word in an ini file.
  norm=$v
  [[ $v == 1 || ${v,,} == on || ${v,,} == yes ]] && norm=true
  if [[ $norm == "$expected_mode" ]]; then
    if [[ $expected_mode == preload && -z $(field "$w" .ffi_preload) ]]; then
      fail "worker ffi.enable = preload, with ffi.preload set (ffi.preload is empty)"
    else
      extra=''
      [[ $expected_mode == preload ]] && extra=" (ffi.preload $(field "$w" .ffi_preload))"
      pass "worker ffi.enable = $expected_mode$extra"
    fi
  else
    fail "worker ffi.enable = $expected_mode (got '$v')"
  fi
  [[ $(field "$w" .opcache_enabled) == true ]] && pass "opcache enabled in the worker" ||
    fail "opcache enabled in the worker"
fi

# 3. No worker crashed since php-fpm was started. stack/fpm-exits.php tells crashes (SIGSEGV,
# SIGBUS, SIGABRT, ..., a SIGKILL nothing proves was php-fpm's) from php-fpm's own scale-down
# SIGKILLs of idle children, which are counted on a line of their own (docs/reliability.md).
exits_tmp=$(mktemp)
fpm_log_since_start >"$exits_tmp.fpm" 2>/dev/null || true
nginx_error_log >"$exits_tmp.nginx" 2>/dev/null || true
if exits=$(php "$WITSPER_ROOT/stack/fpm-exits.php" --nginx-error-log="$exits_tmp.nginx" <"$exits_tmp.fpm"); then
  pass "no crashed php-fpm worker since php-fpm started ($(tail -n 1 <<<"$exits" | sed 's/^fpm-exits: //'))"
else
  fail "no crashed php-fpm worker since php-fpm started ($(tail -n 1 <<<"$exits" | sed 's/^fpm-exits: //'))"
  grep '^CRASH' <<<"$exits" | tail -n 3 | sed 's/^/      /'
fi
grep '^SCALEDOWN' <<<"$exits" | tail -n 3 | sed 's/^/      /' || true
rm -f "$exits_tmp" "$exits_tmp.fpm" "$exits_tmp.nginx"

# 4. The site answers curl -I with 200, or with redirects that end in a 200.
code=$(curl -sI -L --max-redirs 5 --max-time 30 -o /dev/null -w '%{http_code}' "$url/" || true)
[[ $code == 200 ]] && pass "curl -I $url/ -> 200" || fail "curl -I $url/ -> 200 (got ${code:-nothing})"

# 5. The WordPress files: no dangling symlink anywhere in the web root (Debian's package links
#    core files into other packages; a dangling one is a 404 that breaks wp-admin), and,
#    natively, every file of Debian's wordpress package present with its packaged content
#    (dpkg's md5sums; wp-config.php is ours).
if ((compose)); then
  dangling=$("${dc[@]}" exec -T wordpress find /var/www/html -xtype l 2>/dev/null | sed 's|^/var/www/html/||' || true)
else
  dangling=$(cd "$WITSPER_WP_ROOT" && find . -xtype l 2>/dev/null | sed 's|^\./||' | sort || true)
fi
if [[ -z $dangling ]]; then pass "no dangling symlink in the WordPress files"
else
  fail "no dangling symlink in the WordPress files ($(wc -l <<<"$dangling") found:)"
  head -n 5 <<<"$dangling" | sed 's/^/      /'
fi
if ((!compose)); then
  sums=/var/lib/dpkg/info/wordpress.md5sums
  if [[ ! -r $sums ]]; then
    fail "WordPress core files complete ($sums missing: is Debian's wordpress package installed?)"
  else
    # Each line "md5  usr/share/wordpress/path" checked against the copy; links in the package
    # (no md5 line) must resolve too.
    bad=$( { sed -n 's|^\([0-9a-f]\{32\}\)  usr/share/wordpress/|\1  |p' "$sums" |
               grep -v '  wp-config\.php$' |
               (cd "$WITSPER_WP_ROOT" && md5sum -c --quiet 2>/dev/null) || true
             (cd "$WP_SOURCE" && find . -type l ! -name .htaccess ! -name wp-config.php) |
               while IFS= read -r rel; do
                 [[ -e $WITSPER_WP_ROOT/${rel#./} ]] || echo "${rel#./}: missing"
               done; } )
    total=$(grep '  usr/share/wordpress/' "$sums" | grep -vc '  usr/share/wordpress/wp-config\.php$' || true)
    if [[ -z $bad ]]; then pass "WordPress core files complete and unchanged ($total files of Debian's package)"
    else
      fail "WordPress core files complete and unchanged ($(wc -l <<<"$bad") missing or changed:)"
      head -n 5 <<<"$bad" | sed 's/^/      /'
    fi
  fi
fi

# 6. Plugin and library (once the plugin exists, which it must by the end).
if ((!plugin_expected)); then
  skip "plugin checks" "$PLUGIN_DIR does not exist yet"
else
  wpj=$(request wordpress || true)
  if [[ -z $wpj ]]; then
    fail "WordPress boots in a worker (no answer from $checks_dir/wordpress.php)"
  else
    if [[ $(field "$wpj" .multisite) == true ]]; then
      [[ $(field "$wpj" .network_active) == true ]] && pass "plugin witsper-ffi network-active" ||
        fail "plugin witsper-ffi network-active"
    else
      [[ $(field "$wpj" .plugin_active) == true ]] && pass "plugin witsper-ffi active" ||
        fail "plugin witsper-ffi active (present: $(field "$wpj" .plugin_present))"
    fi
    h_name="wp-config hardening (DISALLOW_FILE_EDIT, AUTOMATIC_UPDATER_DISABLED, WP_HTTP_BLOCK_EXTERNAL, no WP_DEBUG_DISPLAY; WordPress $(field "$wpj" .wp_version))"
    [[ $(field "$wpj" .hardening) == true ]] && pass "$h_name" || fail "$h_name"
  fi
  n=$(request native || true)
  if [[ $(field "$n" .answers) == true ]]; then
    pass "libwitsper answers inside a worker (version $(field "$n" .version), ABI $(field "$n" .status.abi), mode $(field "$n" .status.mode), pid $(field "$n" .pid))"
  else
    fail "libwitsper answers inside a worker ($(field "$n" '.error // .status.message // .status.reason // "no answer"'))"
  fi
  h=$(curl -s --max-time 30 "$url/wp-json/witsper/v1/health" || true)
  if [[ $(field "$h" .native_parser_active) == true && $(field "$h" .ffi_mode) == "$expected_mode" ]]; then
    pass "$url/wp-json/witsper/v1/health: native parser active (mode $(field "$h" .ffi_mode), library $(field "$h" .library_version), pid $(field "$h" .pid))"
  else
    fail "$url/wp-json/witsper/v1/health: native parser active in mode $expected_mode (got: ${h:0:200})"
  fi
fi

summary
