#!/usr/bin/env bash
# Security checks against the running stack ($WITSPER_VAR/stack.env) and the repository:
#   - a PHP file under wp-content/uploads is never executed (403/404, never its output);
#   - dotfiles and wp-config.php are never served;
#   - natively, MariaDB and php-fpm (and nginx) listen on loopback only (/proc/net/tcp*,
#     for this stack's own processes);
#   - in Compose the database port is not published (docker compose config --format json when
#     the compose plugin is there, else the YAML file itself);
#   - in preload mode a script outside the preload calling FFI::cdef / FFI::scope is refused,
#     while the plugin keeps using the native parser;
#   - DISALLOW_FILE_EDIT is on (and the admin cannot edit plugins);
#   - no password or salt the stack runs with appears in the repository, the logs, or the
#     Docker files (which take them from .env / secrets only).
# Restores the FFI mode and removes every file it created (trap). Bounded: < 1.5 min.
# Ends with "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/load/lib.sh
. tests/load/lib.sh

load_stack_env
REL_TMP=$(mktemp -d /tmp/witsper-security.XXXXXX)
chmod 755 "$REL_TMP"
UPLOADS=$WITSPER_WP_ROOT/wp-content/uploads
CREATED=()
MADE_UPLOADS=0
RESTARTED=0
RESTORED=0

restore() {
  local rc=$? f
  (( RESTORED )) && return
  RESTORED=1
  trap - EXIT INT TERM
  for f in "${CREATED[@]}"; do rm -rf -- "$f"; done
  # shellcheck disable=SC2015  # cleanup: rmdir may fail (not empty), || true is wanted either way
  (( MADE_UPLOADS )) && rmdir "$UPLOADS" 2>/dev/null || true
  if (( RESTARTED )); then
    echo "--- restoring php-fpm (FFI mode $ORIG_FFI_MODE)"
    fpm_restart || echo "WARNING: php-fpm restart with the stack's settings failed" >&2
  fi
  rm -rf "$REL_TMP"
  exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT TERM

MARKER="witsper-sec-$RANDOM$RANDOM"
# expect_denied PATH MARKER: 403 or 404, and the body does not contain MARKER.
expect_denied() {
  local code
  code=$(http_get "$1" "$REL_TMP/body" 15)
  if [[ ($code == 403 || $code == 404) ]] && ! grep -qF "$2" "$REL_TMP/body"; then
    pass "$1 -> $code, not served"
  else
    fail "$1 -> $code$(grep -qF "$2" "$REL_TMP/body" && echo ', and its content/output was in the body')"
  fi
}

# --- 1. PHP under uploads is never executed ---------------------------------------------------
say "--- uploads, dotfiles, wp-config.php ($WITSPER_URL)"
[[ -d $UPLOADS ]] || { mkdir -p "$UPLOADS"; MADE_UPLOADS=1; }
mkdir -p "$UPLOADS/witsper-sec"
CREATED+=("$UPLOADS/witsper-sec" "$UPLOADS/x.php")
# The output (6*7 computed) differs from the source text, so "executed" and "served as
# source" are told apart; either way the body must not carry the marker.
printf '<?php echo "%s-" . (6 * 7);\n' "$MARKER" >"$UPLOADS/x.php"
cp "$UPLOADS/x.php" "$UPLOADS/witsper-sec/y.PhP"
cp "$UPLOADS/x.php" "$UPLOADS/witsper-sec/z.phtml"
printf 'GIF89a\n' >"$UPLOADS/witsper-sec/pic.gif"
chmod -R a+rX "$UPLOADS/x.php" "$UPLOADS/witsper-sec"
expect_denied /wp-content/uploads/x.php "$MARKER"
expect_denied /wp-content/uploads/witsper-sec/y.PhP "$MARKER"
expect_denied /wp-content/uploads/witsper-sec/z.phtml "$MARKER"
expect_denied /wp-content/uploads/witsper-sec/pic.gif/x.php "$MARKER"
# The control: the same directory serves a plain file, so the denials above are about PHP.
check "control: a plain upload is served (200)" test "$(http_code /wp-content/uploads/witsper-sec/pic.gif)" = 200

# --- 2. dotfiles and wp-config.php ------------------------------------------------------------
for f in .witsper-secret.env .htaccess; do
  [[ -e $WITSPER_WP_ROOT/$f ]] && continue
  printf 'SECRET=%s\n' "$MARKER" >"$WITSPER_WP_ROOT/$f"; chmod 644 "$WITSPER_WP_ROOT/$f"
  CREATED+=("$WITSPER_WP_ROOT/$f")
done
mkdir -p "$WITSPER_WP_ROOT/.git-witsper-sec"
printf '%s\n' "$MARKER" >"$WITSPER_WP_ROOT/.git-witsper-sec/config"; chmod -R a+rX "$WITSPER_WP_ROOT/.git-witsper-sec"
CREATED+=("$WITSPER_WP_ROOT/.git-witsper-sec")
expect_denied /.witsper-secret.env "$MARKER"
expect_denied /.git-witsper-sec/config "$MARKER"
expect_denied /wp-content/uploads/.witsper-secret.env "$MARKER"
dbpass=$(wp_php const DB_PASSWORD | jq -r .)
[[ -n $dbpass && $dbpass != null ]] || fail "cannot read DB_PASSWORD through wp-load.php"
expect_denied /wp-config.php "$dbpass"
expect_denied /wp-config.php.bak "$dbpass"

# --- 3. listeners: loopback only ----------------------------------------------------------------
say "--- listening sockets of this stack's processes"
# listen_addrs PID...: "proto addr:port" of every listening TCP socket the processes hold,
# read from /proc/net/tcp{,6} by socket inode (what ss shows, without trusting ss).
listen_addrs() {
  local pid inodes
  inodes=$(for pid in "$@"; do ls -l "/proc/$pid/fd" 2>/dev/null; done | grep -o 'socket:\[[0-9]*\]' | tr -dc '0-9\n' | sort -u)
  [[ -n $inodes ]] || return 0
  awk -v list="$(tr '\n' ' ' <<<"$inodes")" '
    BEGIN { n = split(list, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
    FNR == 1 { proto = (FILENAME ~ /6$/) ? "tcp6" : "tcp"; next }
    $4 == "0A" && ($10 in want) {
      split($2, la, ":"); hex = la[1]; port = strtonum("0x" la[2])
      if (proto == "tcp") {
        addr = sprintf("%d.%d.%d.%d", strtonum("0x" substr(hex, 7, 2)), strtonum("0x" substr(hex, 5, 2)),
                       strtonum("0x" substr(hex, 3, 2)), strtonum("0x" substr(hex, 1, 2)))
      } else if (hex == "00000000000000000000000001000000") { addr = "::1"
      } else if (hex == "00000000000000000000000000000000") { addr = "::"
      } else { addr = hex }
      print proto, addr ":" port
    }' /proc/net/tcp /proc/net/tcp6 | sort -u
}
check_loopback() {
  local name=$1; shift
  local addrs bad
  addrs=$(listen_addrs "$@")
  bad=$(awk '$2 !~ /^(127\.[0-9.]+|::1):[0-9]+$/' <<<"$addrs")
  if [[ -z $addrs ]]; then
    fail "$name: no listening socket found (pids $*)"
  elif [[ -n $bad ]]; then
    fail "$name listens beyond loopback: $(tr '\n' ' ' <<<"$bad")"
  else
    pass "$name listens on loopback only: $(awk '{print $2}' <<<"$addrs" | tr '\n' ' ')"
  fi
}
pid_of() { local p; p=$(cat "$1" 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p"; }
dbpid=$(pid_of "${WITSPER_DB_PID:-$WITSPER_VAR/run/mariadbd.pid}") || true
fpmpid=$(fpm_master_pid) || true
nginxpid=$(pid_of "${WITSPER_NGINX_PID:-$WITSPER_VAR/run/nginx.pid}") || true
if [[ -n $dbpid ]]; then check_loopback "MariaDB (pid $dbpid)" "$dbpid"; else fail "MariaDB: no running pid"; fi
if [[ -n $fpmpid ]]; then
  # shellcheck disable=SC2046
  check_loopback "php-fpm (master $fpmpid and its workers)" "$fpmpid" $(pgrep -P "$fpmpid")
else fail "php-fpm: no running master"; fi
if [[ -n $nginxpid ]]; then
  # shellcheck disable=SC2046
  check_loopback "nginx (pid $nginxpid and its workers)" "$nginxpid" $(pgrep -P "$nginxpid")
else fail "nginx: no running pid"; fi

# --- 4. Compose: the database port is not published ---------------------------------------------
say "--- docker-compose.yml"
if [[ ! -f docker-compose.yml ]]; then
  fail "docker-compose.yml is missing"
else
  if docker compose version >/dev/null 2>&1; then
    # Interpolation needs the variables; the placeholders of .env.example are enough here.
    how="docker compose config --format json"
    envf=(); [[ -f .env ]] || { [[ -f .env.example ]] && envf=(--env-file .env.example); }
    docker compose "${envf[@]}" config --format json >"$REL_TMP/compose.json" 2>"$REL_TMP/compose.err" || true
  else
    how="the YAML file (no docker compose plugin here)"
    python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' \
      docker-compose.yml >"$REL_TMP/compose.json" 2>"$REL_TMP/compose.err" || true
  fi
  if ! jq -e '.services | type == "object"' "$REL_TMP/compose.json" >/dev/null 2>&1; then
    fail "compose: could not read the services through $how: $(head -c 300 "$REL_TMP/compose.err")"
  else
    dbsvc=$(jq -r '.services | to_entries[] | select((.value.image // "") | test("mariadb|mysql"; "i")) | .key' "$REL_TMP/compose.json" | head -n 1)
    if [[ -z $dbsvc ]]; then
      fail "compose: no MariaDB service found"
    else
      # shellcheck disable=SC2016  # jq program: its $ variables are jq's (--arg/--argjson), not the shell's
      check "compose: service '$dbsvc' publishes no port (read through $how)" \
        jqt --arg s "$dbsvc" '(.services[$s].ports // []) | length == 0' "$REL_TMP/compose.json"
    fi
    published=$(jq -r '[.services[] | (.ports // [])[] | tostring | select(test("3306"))] | join(" ")' "$REL_TMP/compose.json")
    check "compose: no service publishes 3306 ($published)" test -z "$published"
  fi
fi

# --- 5. preload mode: FFI outside the preload is refused, the plugin keeps working --------------
say "--- preload mode"
if [[ $ORIG_FFI_MODE != preload ]]; then
  RESTARTED=1
  fpm_restart WITSPER_FFI_MODE=preload || fail "php-fpm did not start in preload mode"
fi
cat >"$REL_TMP/ffi-outside-preload.php" <<'EOF'
<?php
// tests/security: run by php-fpm from outside the opcache preload; every FFI entry point
// that creates or looks up native bindings must be refused in ffi.enable=preload.
$out = array( 'ffi.enable' => ini_get( 'ffi.enable' ) );
try {
	$libc = FFI::cdef( 'int abs(int);', 'libc.so.6' );
	$out['cdef'] = 'ALLOWED ' . $libc->abs( -42 );
} catch ( Throwable $e ) {
	$out['cdef'] = 'REFUSED ' . get_class( $e ) . ': ' . $e->getMessage();
}
try {
	$w = FFI::scope( 'witsper' );
	$out['scope'] = 'ALLOWED ' . $w->witsper_version();
} catch ( Throwable $e ) {
	$out['scope'] = 'REFUSED ' . get_class( $e ) . ': ' . $e->getMessage();
}
echo json_encode( $out ), "\n";
EOF
chmod 644 "$REL_TMP/ffi-outside-preload.php"
res=$(fcgi_body "$WITSPER_FPM_LISTEN" "$REL_TMP/ffi-outside-preload.php" '' /ffi-outside-preload.php 15 2>/dev/null | tail -n 1 || true)
say "    php-fpm said: $res"
check "preload: ffi.enable is 'preload' in the worker" jqt '.["ffi.enable"] == "preload"' <<<"$res"
check "preload: FFI::cdef from a non-preloaded script is refused (FFI\\Exception)" \
  jqt '.cdef | startswith("REFUSED FFI\\Exception")' <<<"$res"
check "preload: FFI::scope('witsper') from a non-preloaded script is refused" \
  jqt '.scope | startswith("REFUSED")' <<<"$res"
h=$(health_json)
check "preload: the plugin keeps the native parser active (health: mode preload, native_parser_active)" \
  jqt '.ffi_mode == "preload" and .native_parser_active == true' <<<"$h"
read -r _ post_path < <(wp_php post-ensure "${WITSPER_CORPUS:-tests/corpus/blocks}/early-adopting-the-future.html" witsper-load-block-post) || true
check "preload: the block post renders (200)" test "$(http_code "${post_path:-/}" 30)" = 200

# --- 6. DISALLOW_FILE_EDIT ----------------------------------------------------------------------
say "--- WordPress hardening"
check "DISALLOW_FILE_EDIT is true in the stack's wp-config.php" test "$(wp_php const DISALLOW_FILE_EDIT)" = true
check "the administrator (user 1) cannot edit plugins or themes" \
  test "$(wp_php can 1 edit_plugins)/$(wp_php can 1 edit_themes)" = no/no

# --- 7. secrets: not in the repository, the logs, or the Docker files ---------------------------
say "--- secrets"
{
  wp_php secrets
  printf '%s\n' "${WITSPER_ADMIN_PASSWORD:-}" "${WITSPER_DB_PASSWORD:-}"
} | awk 'length($0) >= 8' | sort -u >"$REL_TMP/secrets"
nsec=$(wc -l <"$REL_TMP/secrets")
check "secrets: the stack runs with real values (DB password, admin password, 8 keys/salts: $nsec found)" test "$nsec" -ge 10
check "secrets: the keys and salts are not WordPress's placeholder" \
  bash -c "! grep -q 'put your unique phrase here' '$REL_TMP/secrets'"
hits=$(git grep -l -F -f "$REL_TMP/secrets" -- . 2>/dev/null || true)
check "secrets: none appears in a tracked file of the repository${hits:+ (found in: $hits)}" test -z "$hits"
hits=$(git ls-files --others --exclude-standard -z | xargs -0 -r grep -l -F -f "$REL_TMP/secrets" -- 2>/dev/null || true)
check "secrets: none appears in an untracked, not ignored file${hits:+ (found in: $hits)}" test -z "$hits"
hits=$(grep -rlF -f "$REL_TMP/secrets" "$WITSPER_VAR/log" 2>/dev/null || true)
check "secrets: none appears in the stack's logs ($WITSPER_VAR/log)${hits:+: $hits}" test -z "$hits"
dockerish=()
for f in Dockerfile docker-compose.yml .env.example .dockerignore; do [[ -f $f ]] && dockerish+=("$f"); done
# shellcheck disable=SC2015  # no dockerish file -> no hits: grep skipped, || true keeps set -e quiet
hits=$( ((${#dockerish[@]})) && grep -lF -f "$REL_TMP/secrets" "${dockerish[@]}" || true)
check "secrets: none appears in ${dockerish[*]:-the Docker files}${hits:+ (found in: $hits)}" test -z "$hits" -a -f Dockerfile
# Every credential-like setting of the compose file comes from the environment / .env or a
# secret file, never a literal value.
if [[ -f $REL_TMP/compose.json ]] && jq -e .services "$REL_TMP/compose.json" >/dev/null 2>&1; then
  literal=$(jq -r '.services | to_entries[] | .key as $s | (.value.environment // {})
      | (if type == "array" then map(split("=") | {key: .[0], value: (.[1:] | join("="))}) else to_entries end)[]
      | select(.key | test("PASSWORD|SECRET|_KEY|SALT"; "i")) | select(.key | test("_FILE$") | not)
      | select((.value // "" | tostring) | test("^\\$\\{|^$") | not) | "\($s).\(.key)"' "$REL_TMP/compose.json" 2>/dev/null || true)
  # docker compose config has already interpolated ${...}: then only the raw file can tell.
  if [[ $how == docker* ]]; then
    literal=$(grep -nE '(PASSWORD|SECRET|_KEY|SALT)[A-Z_]*:[[:space:]]*[^$[:space:]"'"'"'][^[:space:]]*' docker-compose.yml | grep -v '_FILE:' || true)
  fi
  check "compose: credentials come from \${...} / *_FILE only${literal:+ (literal: $literal)}" test -z "$literal"
fi
check ".dockerignore keeps var/ and .env out of the image build context" \
  bash -c "[[ -f .dockerignore ]] && grep -qE '^/?var/?\$' .dockerignore && grep -qE '^/?\\.env\$' .dockerignore"

summary
