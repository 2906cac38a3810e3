#!/usr/bin/env bash
# test-stack: the stack's own behaviour, on a SECOND stack (other ports, a temporary
# WITSPER_VAR), so the main stack of `make test` keeps running untouched:
#   - cold `make up` brings a site that answers 200, and `make verify` passes on it;
#   - a second `make up` while up changes nothing (no file, no pid) and is fast;
#   - a changed FFI mode restarts php-fpm only (nginx and MariaDB keep their pids);
#   - `make down` leaves none of its processes and closes its ports;
#   - MULTISITE=subdirectory: / and a second site created at /site2/ answer 200, and the
#     plugin is network-active.
# Budget: about 1-2 minutes. Ends with "N passed, N failed, N skipped".
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

port_base=${WITSPER_TEST_PORT_BASE:-18000}
export WITSPER_PORT=$((port_base + 80)) WITSPER_FPM_PORT=$((port_base + 90)) \
       WITSPER_FPM_STATUS_PORT=$((port_base + 91)) WITSPER_DB_PORT=$((port_base + 6))
unset MULTISITE WITSPER_MULTISITE WITSPER_FFI_MODE WITSPER_PHP_EXTRA_INI WITSPER_LIB \
      WITSPER_FPM_MAX_REQUESTS WITSPER_FPM_MAX_SPARE_SERVERS WITSPER_URL WITSPER_WP_ROOT
base=http://127.0.0.1:$WITSPER_PORT

# pass/fail/check/summary: the shared protocol.
# shellcheck source=tests/lib/harness.sh
. tests/lib/harness.sh

vars=()
cleanup() {
  local v
  for v in "${vars[@]}"; do
    WITSPER_VAR=$v stack/down.sh >/dev/null 2>&1 || true
    rm -rf "$v"
  done
}
trap cleanup EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$WITSPER_PORT" "$WITSPER_FPM_PORT" "$WITSPER_FPM_STATUS_PORT" "$WITSPER_DB_PORT"; do
  if port_open "$p"; then
    fail "port $p is free (set WITSPER_TEST_PORT_BASE to a free range)"
    summary; exit 1
  fi
done

new_var() {
  local v
  v=$(mktemp -d /tmp/witsper-stacktest.XXXXXX)
  vars+=("$v")
  export WITSPER_VAR=$v
}
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$@" || true; }
pids_of_stack() {
  # The three masters from their pid files, and every child they have.
  local f pid
  for f in "$WITSPER_VAR"/run/{nginx,php-fpm,mariadbd}.pid; do
    [[ -s $f ]] || continue
    pid=$(<"$f")
    echo "$pid"
    pgrep -P "$pid" || true
  done
}
# The three masters only: php-fpm starts and retires its own workers (the status listener's
# child lives 10 s after a probe; a dynamic pool scales), so worker pids change with time
# and load, not with `make up`. A restart shows as a new master pid.
masters_of_stack() { cat "$WITSPER_VAR"/run/{nginx,php-fpm,mariadbd}.pid 2>/dev/null; }
state_digest() {
  # Everything `make up` writes, plus the pids: equal digests = nothing changed.
  (cd "$WITSPER_VAR" && find etc stack.env wordpress/wp-config.php secrets run -type f \
     -print0 2>/dev/null | sort -z | xargs -0 sha256sum)
}

# --- docker-compose.yml ----------------------------------------------------------------
# No Docker engine here: the file is validated (schema, interpolation, anchors) by the
# Compose client, v2 if present, else Debian's v1 docker-compose.
if docker compose version >/dev/null 2>&1; then dcc=(docker compose)
elif command -v docker-compose >/dev/null; then dcc=(docker-compose)
else dcc=(); fi
if ((${#dcc[@]})); then
  check "${dcc[*]} config -q passes (no .env)" "${dcc[@]}" -f docker-compose.yml config -q
  check "${dcc[*]} config -q passes with .env.example" \
    "${dcc[@]}" -f docker-compose.yml --env-file .env.example config -q
  check "docker-compose.yml publishes no database port" \
    bash -c "! '${dcc[0]}' ${dcc[1]:-} -f docker-compose.yml config 2>/dev/null | sed -n '/^  db:/,/^  [a-z]/p' | grep -q 'ports:'"
else
  echo "SKIP  docker compose config -q (no Compose client: apt-get install docker-compose)"
fi

# --- Dockerfile invariants (no engine here to build it: the rules it must keep) ----------
check "Dockerfile: every stage FROM a Debian wordpress fpm image (no alpine/musl, no wordpress:cli)" \
  bash -c "grep -E '^ARG WORDPRESS_IMAGE=wordpress:(\\$\{WITSPER_WP_VERSION\}|[a-z0-9.-])*fpm\$' Dockerfile >/dev/null &&
           ! grep -iE '^FROM|^ARG WORDPRESS_IMAGE' Dockerfile | grep -qiE 'alpine|wordpress:cli'"
check "Dockerfile: FFI built with docker-php-ext-install, runtime libffi kept, build fails without FFI" \
  bash -c "grep -q 'docker-php-ext-install ffi' Dockerfile && grep -q \"apt-mark manual\" Dockerfile &&
           grep -q 'php -m | grep -qx FFI' Dockerfile"
check "Dockerfile: php.ini as conf.d/zz-witsper.ini, pool file after zz-docker.conf, STOPSIGNAL SIGQUIT" \
  bash -c "grep -q 'COPY php.ini \"\$PHP_INI_DIR/conf.d/zz-witsper.ini\"' Dockerfile &&
           grep -q 'COPY php-fpm.conf /usr/local/etc/php-fpm.d/zz-witsper.conf' Dockerfile &&
           [[ zz-witsper.conf > zz-docker.conf ]] && grep -qx 'STOPSIGNAL SIGQUIT' Dockerfile"
check "Dockerfile: WP-CLI phar checksum- and signature-verified, else a file checked against SHA256SUMS, else the build fails" \
  bash -c "grep -q 'sha512sum -c' Dockerfile && grep -q 'gpg --batch --verify' Dockerfile &&
           grep -q 'docker/wp-cli/SHA256SUMS' Dockerfile && grep -q 'no docker/wp-cli/wp-cli.phar' Dockerfile"
check "Dockerfile: no '# syntax=' line (BuildKit would download a frontend image)" \
  bash -c "! grep -qi '^# *syntax *=' Dockerfile"

# --- one source of truth: limits that must agree across the files -----------------------
ini_size() { sed -nE "s/^$1 *= *([0-9]+)[Mm]\$/\1/p" php.ini; }
nginx_body=$(sed -nE 's/^ *client_max_body_size +([0-9]+)m;/\1/p' nginx.conf)
check "upload_max_filesize = post_max_size = client_max_body_size (${nginx_body:-?} MB)" \
  test -n "$nginx_body" -a "$(ini_size upload_max_filesize)" = "$nginx_body" -a "$(ini_size post_max_size)" = "$nginx_body"
fpm_timeout=$(sed -nE 's/^request_terminate_timeout = ([0-9]+)s$/\1/p' php-fpm.conf)
nginx_read=$(sed -nE 's/^ *fastcgi_read_timeout ([0-9]+)s;/\1/p' nginx.conf)
check "nginx fastcgi_read_timeout (${nginx_read:-?}s) just above request_terminate_timeout (${fpm_timeout:-?}s)" \
  test -n "$fpm_timeout" -a -n "$nginx_read" -a "${nginx_read:-0}" -gt "${fpm_timeout:-0}" -a "${nginx_read:-0}" -le $((${fpm_timeout:-0} + 30))

# --- cold up ---------------------------------------------------------------------------
new_var
t0=$SECONDS
if make -s --no-print-directory up >"$WITSPER_VAR/up1.log" 2>&1; then
  pass "cold make up on a second stack ($base, var $WITSPER_VAR) in $((SECONDS - t0))s"
else
  fail "cold make up on a second stack"; tail -n 20 "$WITSPER_VAR/up1.log"
fi
cold=$((SECONDS - t0))
check "cold make up under 5 minutes (${cold}s)" test "$cold" -lt 300
code=$(http_code -I "$base/")
check "curl -I $base/ -> 200 (got $code)" test "$code" = 200
if stack/verify.sh >"$WITSPER_VAR/verify.log" 2>&1; then
  pass "make verify passes on the second stack ($(tail -n 1 "$WITSPER_VAR/verify.log"))"
else
  fail "make verify passes on the second stack"; grep -v '^PASS' "$WITSPER_VAR/verify.log"
fi
check "stack.env has the keys others rely on" bash -c \
  "for k in WITSPER_URL WITSPER_WP_ROOT WITSPER_FPM_LOG WITSPER_FPM_STATUS WITSPER_FPM_LISTEN \
     WITSPER_FFI_MODE WITSPER_ADMIN_USER WITSPER_ADMIN_PASSWORD WITSPER_DB_NAME WITSPER_VAR; do
     grep -q \"^\$k=.\" '$WITSPER_VAR/stack.env' || { echo missing \$k; exit 1; }; done"
check "wp-load.php is in WITSPER_WP_ROOT" test -f "$WITSPER_VAR/wordpress/wp-load.php"

# WP-CLI for real on the native stack ($WITSPER_VAR/bin/wp, as www-data).
wp=$WITSPER_VAR/bin/wp
out=$("$wp" --version 2>&1 || true)
check "native wp: $WITSPER_VAR/bin/wp --version -> WP-CLI 2.12.0 (got $out)" test "$out" = "WP-CLI 2.12.0"
out=$("$wp" plugin list --name=witsper-ffi --field=status 2>&1 || true)
check "native wp plugin list: witsper-ffi active (activated by make up with WP-CLI; got $out)" test "$out" = active
st=$("$wp" witsper status --format=json 2>&1 || true)
check "native wp witsper status: native parser active, WordPress 6.1.9 (got ${st:0:200})" \
  test "$(jq -r '"\(.native_parser_active) \(.wordpress_version)"' <<<"$st" 2>/dev/null)" = "true 6.1.9"
out=$("$wp" witsper selftest 2>&1 || true)
check "native wp witsper selftest: $(tail -n 1 <<<"$out")" grep -q '^Success: pass' <<<"$out"
b=$("$wp" witsper bench --iterations=3 --format=json 2>/dev/null || true)
check "native wp witsper bench: every document timed natively and identical" \
  test "$(jq '[.[] | select(.identical == true and (.native_ms | type) == "number")] | length' <<<"$b" 2>/dev/null)" = \
       "$(jq 'length' <<<"$b" 2>/dev/null || echo x)"
check "no secret in the repository's tracked files" bash -c \
  "pw=\$(sed -n 's/^WITSPER_DB_PASSWORD=//p' '$WITSPER_VAR/secrets/db.env');
   ! git -C '$root' grep -qF \"\$pw\""

# --- warm up: idempotent and fast ------------------------------------------------------
before=$(state_digest; masters_of_stack)
t0=$SECONDS
make -s --no-print-directory up >"$WITSPER_VAR/up2.log" 2>&1 || { fail "second make up"; tail -n 20 "$WITSPER_VAR/up2.log"; }
warm=$((SECONDS - t0))
after=$(state_digest; masters_of_stack)
check "second make up while up is fast (${warm}s < 30s)" test "$warm" -lt 30
check "second make up changes nothing (files and master pids identical)" test "$before" = "$after"
check "second make up reports no change" bash -c "! grep -q 'changed:\|starting\|restarting' '$WITSPER_VAR/up2.log'"

# --- status, logs, tune on the running stack ------------------------------------------
check "make status exits 0 and shows the pool while up" \
  bash -c "make -s --no-print-directory status 2>&1 | grep -q '\"state\"'"
check "make logs prints the php-fpm log (FOLLOW=0)" \
  bash -c "FOLLOW=0 make -s --no-print-directory logs 2>&1 | grep -q 'WITSPER: php-fpm started'"
check "make tune recommends pm.max_children from measured workers" \
  bash -c "make -s --no-print-directory tune 2>&1 | grep -q 'pm.max_children'"

# --- FFI mode change: php-fpm only -----------------------------------------------------
nginx_pid=$(<"$WITSPER_VAR/run/nginx.pid") db_pid=$(<"$WITSPER_VAR/run/mariadbd.pid")
fpm_pid=$(<"$WITSPER_VAR/run/php-fpm.pid")
if WITSPER_FFI_MODE=preload make -s --no-print-directory up >"$WITSPER_VAR/up3.log" 2>&1; then
  check "WITSPER_FFI_MODE=preload make up restarts php-fpm" \
    test "$(<"$WITSPER_VAR/run/php-fpm.pid")" != "$fpm_pid"
  check "... and only php-fpm (nginx, mariadbd keep their pids)" \
    test "$(<"$WITSPER_VAR/run/nginx.pid") $(<"$WITSPER_VAR/run/mariadbd.pid")" = "$nginx_pid $db_pid"
  if stack/verify.sh >"$WITSPER_VAR/verify2.log" 2>&1; then
    pass "make verify passes in preload mode"
  else
    fail "make verify passes in preload mode"; grep -v '^PASS' "$WITSPER_VAR/verify2.log"
  fi
else
  fail "WITSPER_FFI_MODE=preload make up"; tail -n 20 "$WITSPER_VAR/up3.log"
fi

# --- down ------------------------------------------------------------------------------
pids=$(pids_of_stack | tr '\n' ' ')
make -s --no-print-directory down >"$WITSPER_VAR/down.log" 2>&1 || fail "make down exits 0"
alive=''
for p in $pids; do kill -0 "$p" 2>/dev/null && alive+="$p "; done
check "make down leaves none of its ${pids:+$(wc -w <<<"$pids") }processes (left: ${alive:-none})" test -z "$alive"
left=$(pgrep -f -- "$WITSPER_VAR" || true)
check "no process mentions the stack's var dir after make down" test -z "$left"
open=''
for p in "$WITSPER_PORT" "$WITSPER_FPM_PORT" "$WITSPER_FPM_STATUS_PORT" "$WITSPER_DB_PORT"; do
  port_open "$p" && open+="$p "
done
check "its ports are closed after make down (open: ${open:-none})" test -z "$open"
check "make status says down (non-zero) after make down" bash -c "! stack/status.sh >/dev/null 2>&1"

# --- multisite -------------------------------------------------------------------------
new_var
t0=$SECONDS
if MULTISITE=subdirectory make -s --no-print-directory up >"$WITSPER_VAR/up-ms.log" 2>&1; then
  pass "MULTISITE=subdirectory make up in $((SECONDS - t0))s"
else
  fail "MULTISITE=subdirectory make up"; tail -n 20 "$WITSPER_VAR/up-ms.log"
fi
code=$(http_code -I "$base/")
check "multisite: curl -I $base/ -> 200 (got $code)" test "$code" = 200
# README "Multisite" commands, with the native WP-CLI (the stack mu-plugin keeps the :port).
wp=$WITSPER_VAR/bin/wp
out=$("$wp" site create --slug=site2 --title="Site 2" 2>&1 || true)
check "multisite: wp site create --slug=site2 ($out)" grep -q '^Success: Site [0-9]' <<<"$out"
out=$("$wp" site list --field=url 2>&1 || true)
check "multisite: wp site list has $base/site2/" grep -qx "$base/site2/" <<<"$out"
"$wp" user create editor editor@example.com --role=editor >/dev/null 2>&1 || true
out=$("$wp" super-admin add editor 2>&1 || true)
check "multisite: wp super-admin add editor ($out)" grep -q '^Success' <<<"$out"
check "multisite: wp super-admin list has editor" grep -qx editor <<<"$("$wp" super-admin list 2>&1)"
out=$("$wp" super-admin remove editor 2>&1 || true)
check "multisite: wp super-admin remove editor ($out)" grep -q '^Success' <<<"$out"
check "multisite: wp super-admin list no longer has editor" bash -c "! '$wp' super-admin list 2>&1 | grep -qx editor"
code=$(http_code -I "$base/site2/")
check "multisite: curl -I $base/site2/ -> 200 (got $code)" test "$code" = 200
code=$(http_code "$base/site2/wp-login.php")
check "multisite: $base/site2/wp-login.php -> 200 (nginx multisite rewrite; got $code)" test "$code" = 200
code=$(http_code "$base/site2/wp-json/")
check "multisite: $base/site2/wp-json/ -> 200 (got $code)" test "$code" = 200
if stack/verify.sh >"$WITSPER_VAR/verify-ms.log" 2>&1; then
  pass "make verify passes on the network (plugin network-active)"
else
  fail "make verify passes on the network"; grep -v '^PASS' "$WITSPER_VAR/verify-ms.log"
fi
h=$(curl -s --max-time 30 "$base/site2/wp-json/witsper/v1/health" || true)
check "multisite: /site2/ health says native parser active" \
  test "$(jq -r .native_parser_active <<<"$h" 2>/dev/null)" = true
t0=$SECONDS
before=$(state_digest; masters_of_stack)
make -s --no-print-directory up >"$WITSPER_VAR/up-ms2.log" 2>&1 || fail "second multisite make up"
after=$(state_digest; masters_of_stack)
check "multisite: second make up (no MULTISITE in env) changes nothing ($((SECONDS - t0))s)" \
  test "$before" = "$after"
pids=$(pids_of_stack | tr '\n' ' ')
make -s --no-print-directory down >/dev/null 2>&1 || fail "multisite make down exits 0"
alive=''
for p in $pids; do kill -0 "$p" 2>/dev/null && alive+="$p "; done
check "multisite: make down leaves none of its processes (left: ${alive:-none})" test -z "$alive"

summary
