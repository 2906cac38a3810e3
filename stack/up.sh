#!/usr/bin/env bash
# `make up`: the whole stack on this machine without Docker or systemd.
#   1. installs the Debian packages of stack/packages.txt that are missing;
#   2. renders php.ini, php-fpm.conf and nginx.conf (the repository's, used by Docker too)
#      into $WITSPER_VAR/etc, changing only hosts, ports and paths;
#   3. starts mariadbd, php-fpm and nginx as plain daemons on 127.0.0.1, pid files in
#      $WITSPER_VAR/run, logs in $WITSPER_VAR/log;
#   4. installs WordPress (single site, or MULTISITE=subdirectory), activates the plugin;
#   5. writes $WITSPER_VAR/stack.env for scripts and tests.
# Idempotent: run again while up, it changes nothing (and is fast); when the FFI mode,
# the extra ini, WITSPER_LIB, WITSPER_MEDIA_LIB or pm.max_requests changed (or a library was
# rebuilt), it restarts php-fpm only.
# Usage: stack/up.sh            (what `make up` runs)
#        stack/up.sh --fpm-restart   (what stack/fpm-restart.sh runs: php-fpm only, always)
set -Eeuo pipefail
# put_file runs at the end of pipelines and records what changed: keep it in this shell.
shopt -s lastpipe
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"

mode=${1:-up}
started_at=$SECONDS
trap 'log "failed at line $LINENO (exit $?); logs: $V_LOG"' ERR

# ---------------------------------------------------------------------------- settings ---
check_settings() {
  [[ $EUID -eq 0 ]] || die "run as root: workers switch to www-data, mariadbd to mysql"
  case $WITSPER_FFI_MODE in
    true | preload) ;;
    *) die "WITSPER_FFI_MODE must be 'true' or 'preload', not '$WITSPER_FFI_MODE'" ;;
  esac
  case $WITSPER_MULTISITE in
    '' | subdirectory) ;;
    *) die "MULTISITE must be empty or 'subdirectory' (subdomain networks need DNS), not '$WITSPER_MULTISITE'" ;;
  esac
  local p
  for p in "$WITSPER_PORT" "$WITSPER_FPM_PORT" "$WITSPER_FPM_STATUS_PORT" "$WITSPER_DB_PORT" \
           "$WITSPER_FPM_MAX_REQUESTS" "$WITSPER_FPM_MAX_SPARE_SERVERS"; do
    [[ $p =~ ^[0-9]+$ ]] || die "ports, WITSPER_FPM_MAX_REQUESTS and WITSPER_FPM_MAX_SPARE_SERVERS must be numbers, got '$p'"
  done
  # php-fpm.conf: pm.min_spare_servers = 2, pm.max_children = 20.
  (( WITSPER_FPM_MAX_SPARE_SERVERS >= 2 && WITSPER_FPM_MAX_SPARE_SERVERS <= 20 )) ||
    die "WITSPER_FPM_MAX_SPARE_SERVERS must be between 2 and 20 (pm.max_children), got $WITSPER_FPM_MAX_SPARE_SERVERS"
  [[ -z $WITSPER_PHP_EXTRA_INI || -r $WITSPER_PHP_EXTRA_INI ]] ||
    die "WITSPER_PHP_EXTRA_INI=$WITSPER_PHP_EXTRA_INI is not a readable file"
  [[ -z $WITSPER_LIB || -r $WITSPER_LIB ]] ||
    log "note: WITSPER_LIB=$WITSPER_LIB does not exist (the plugin will fall back to PHP)"
  [[ -r $WITSPER_MEDIA_LIB ]] ||
    log "note: WITSPER_MEDIA_LIB=$WITSPER_MEDIA_LIB does not exist (make media; until then images use GD)"
}

# A port taken by something that is not this stack would make a daemon fail to bind with
# a cryptic message: say which port and how to move.
check_ports() {
  local entry port pidfile var
  for entry in "$WITSPER_PORT:$NGINX_PID:WITSPER_PORT" "$WITSPER_FPM_PORT:$FPM_PID:WITSPER_FPM_PORT" \
               "$WITSPER_FPM_STATUS_PORT:$FPM_PID:WITSPER_FPM_STATUS_PORT" \
               "$WITSPER_DB_PORT:$DB_PID:WITSPER_DB_PORT"; do
    IFS=: read -r port pidfile var <<<"$entry"
    pid_alive "$pidfile" && continue
    if port_open "$port"; then
      die "port $port is already in use by another program: choose another with $var=... (a second stack also needs its own WITSPER_VAR)"
    fi
  done
}

# ---------------------------------------------------------------------------- packages ---
# Missing packages only; `apt-get update` once, and only when something is missing.
install_packages() {
  local wanted missing=() p status
  mapfile -t wanted < <(sed 's/#.*//' "$WITSPER_ROOT/stack/packages.txt" | tr -s ' \t' '\n' | sed '/^$/d')
  while read -r p status; do
    [[ $status == installed ]] || missing+=("$p")
  done < <(dpkg-query -W -f '${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null || true)
  # dpkg-query prints nothing for names it has never heard of: those are missing too.
  for p in "${wanted[@]}"; do
    dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sed '/^$/d' | sort -u)
  ((${#missing[@]})) || return 0

  log "installing ${#missing[@]} missing package(s): ${missing[*]}"
  # Packages must not start their own daemons (nginx on :80, MariaDB on :3306): this
  # stack runs its own. policy-rc.d exit 101 = "action forbidden" for invoke-rc.d.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  local try rc=1
  for try in 1 2 3; do
    if apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
         -o Dpkg::Progress-Fancy=0 -o APT::Color=0 --no-install-recommends "${missing[@]}"; then
      rc=0; break
    fi
    log "apt-get failed (try $try/3; dpkg lock busy?), retrying in 10 s"
    sleep 10
  done
  ((own_policy)) && rm -f "$policy"
  ((rc == 0)) || die "could not install: ${missing[*]}"
}

# --------------------------------------------------------------------------- rendering ---
changed_files=()
# put_file DEST MODE: write stdin to DEST only if the content differs (keeps mtimes, and
# tells the caller what changed). Returns 0 if written, 1 if unchanged.
put_file() {
  local dest=$1 fmode=$2 tmp
  tmp=$(mktemp "$dest.XXXXXX")
  cat >"$tmp"
  chmod "$fmode" "$tmp"
  if [[ -f $dest ]] && cmp -s "$tmp" "$dest"; then rm -f "$tmp"; return 1; fi
  mv -f "$tmp" "$dest"
  changed_files+=("$dest")
  return 0
}

# render TEMPLATE VARS...: envsubst with an explicit list, so nginx's own $vars survive.
render() {
  local tpl=$1 list='' v
  shift
  for v in "$@"; do list+="\${$v} "; done
  envsubst "$list" <"$tpl"
}

make_dirs() {
  mkdir -p "$V_ETC/php/conf.d" "$V_ETC/php-fpm.d" "$V_ETC/nginx" "$V_RUN" "$V_LOG" \
           "$V_SECRETS" "$V_STATE" "$WITSPER_VAR/nginx-tmp"
  # Workers (www-data) must traverse to the WordPress files and the check scripts;
  # mktemp'd parents (tests) are 0700 otherwise.
  chmod 755 "$WITSPER_VAR" "$V_ETC" "$V_RUN" "$V_LOG"
  chmod 700 "$V_SECRETS"
  # nginx workers (www-data) write request bodies and large responses here.
  chown www-data:www-data "$WITSPER_VAR/nginx-tmp"
  # mariadbd runs as mysql and creates its socket here.
  chown mysql:mysql "$V_RUN"
  touch "$FPM_LOG" "$NGINX_ERROR_LOG" "$NGINX_ACCESS_LOG" "$DB_LOG" "$V_LOG/php-fpm-slow.log"
  chown mysql:mysql "$DB_LOG"
}

# The environment of the php-fpm master: php.ini and php-fpm.conf expand these ${...}.
fpm_environment() {
  cat <<EOF
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PHP_INI_SCAN_DIR=$DEBIAN_PHP_CONF_D:$V_ETC/php/conf.d
WITSPER_FFI_MODE=$WITSPER_FFI_MODE
$("$WITSPER_ROOT/stack/ffi-mode.sh" settings "$WITSPER_FFI_MODE" "$V_ETC/witsper_ffi.h" "$PLUGIN_DIR/preload.php")
WITSPER_FPM_ERROR_LOG=$FPM_LOG
WITSPER_FPM_LISTEN=$WITSPER_HOST:$WITSPER_FPM_PORT
WITSPER_FPM_STATUS_LISTEN=$WITSPER_HOST:$WITSPER_FPM_STATUS_PORT
WITSPER_FPM_MAX_REQUESTS=$WITSPER_FPM_MAX_REQUESTS
WITSPER_FPM_MAX_SPARE_SERVERS=$WITSPER_FPM_MAX_SPARE_SERVERS
WITSPER_FPM_SLOWLOG=$V_LOG/php-fpm-slow.log
WITSPER_LIB=$WITSPER_LIB
WITSPER_MEDIA_LIB=$WITSPER_MEDIA_LIB
WITSPER_WP_ROOT=$V_WP
EOF
}

render_php() {
  put_file "$V_ETC/php/conf.d/zz-witsper.ini" 644 <"$WITSPER_ROOT/php.ini" || true
  if [[ -n $WITSPER_PHP_EXTRA_INI ]]; then
    # Sorts after zz-witsper.ini, so a test's ini wins.
    put_file "$V_ETC/php/conf.d/zzz-extra.ini" 644 <"$WITSPER_PHP_EXTRA_INI" || true
  elif [[ -f $V_ETC/php/conf.d/zzz-extra.ini ]]; then
    rm -f "$V_ETC/php/conf.d/zzz-extra.ini"
    changed_files+=("$V_ETC/php/conf.d/zzz-extra.ini")
  fi
  if [[ $WITSPER_FFI_MODE == preload ]]; then
    local header=$WITSPER_ROOT/native/include/witsper_ffi.h lib
    lib=$(native_lib_path)
    [[ -f $header ]] || die "preload mode needs $header (run make)"
    [[ -f $PLUGIN_DIR/preload.php ]] || die "preload mode needs $PLUGIN_DIR/preload.php"
    [[ -f $lib ]] || die "preload mode needs the library $lib (run make)"
    # ffi.preload loads the library named by FFI_LIB: the absolute path of ours, natively.
    "$WITSPER_ROOT/stack/ffi-mode.sh" header "$lib" <"$header" |
      put_file "$V_ETC/witsper_ffi.h" 644 || true
  fi
  WITSPER_FPM_PID=$FPM_PID WITSPER_FPM_POOL_DIR=$V_ETC/php-fpm.d \
    render "$WITSPER_ROOT/stack/templates/php-fpm-main.conf" WITSPER_FPM_PID WITSPER_FPM_POOL_DIR |
    put_file "$V_ETC/php-fpm.conf" 644 || true
  put_file "$V_ETC/php-fpm.d/zz-witsper.conf" 644 <"$WITSPER_ROOT/php-fpm.conf" || true
  fpm_environment | put_file "$V_ETC/php-fpm.env" 644 || true
}

render_nginx() {
  WITSPER_HTTP_LISTEN=$WITSPER_HOST:$WITSPER_PORT \
  WITSPER_FPM_UPSTREAM=$WITSPER_HOST:$WITSPER_FPM_PORT \
  WITSPER_WP_ROOT=$V_WP WITSPER_NGINX_RESOLVER=127.0.0.1 \
    render "$WITSPER_ROOT/nginx.conf" WITSPER_HTTP_LISTEN WITSPER_FPM_UPSTREAM WITSPER_WP_ROOT \
      WITSPER_NGINX_RESOLVER |
    put_file "$V_ETC/nginx/witsper.conf" 644 || true
  WITSPER_NGINX_PID=$NGINX_PID WITSPER_NGINX_ERROR_LOG=$NGINX_ERROR_LOG \
  WITSPER_NGINX_ACCESS_LOG=$NGINX_ACCESS_LOG WITSPER_NGINX_TMP=$WITSPER_VAR/nginx-tmp \
  WITSPER_NGINX_SITE=$V_ETC/nginx/witsper.conf \
    render "$WITSPER_ROOT/stack/templates/nginx-main.conf" WITSPER_NGINX_PID \
      WITSPER_NGINX_ERROR_LOG WITSPER_NGINX_ACCESS_LOG WITSPER_NGINX_TMP WITSPER_NGINX_SITE |
    put_file "$V_ETC/nginx/nginx.conf" 644 || true
}

render_mariadb() {
  WITSPER_DB_SOCKET=$DB_SOCKET WITSPER_DB_DATADIR=$V_DB WITSPER_DB_PID=$DB_PID \
  WITSPER_DB_LOG=$DB_LOG WITSPER_DB_PORT=$WITSPER_DB_PORT \
    render "$WITSPER_ROOT/stack/templates/my.cnf" WITSPER_DB_SOCKET WITSPER_DB_DATADIR \
      WITSPER_DB_PID WITSPER_DB_LOG WITSPER_DB_PORT |
    put_file "$V_ETC/my.cnf" 644 || true
}

# ----------------------------------------------------------------------------- secrets ---
# Generated once, kept in var/secrets (0700, git-ignored), never printed to logs.
random_secret() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "${1:-24}"; }

ensure_secrets() {
  local f=$V_SECRETS/db.env
  if [[ ! -s $f ]]; then
    printf 'WITSPER_DB_PASSWORD=%s\n' "$(random_secret 24)" >"$f"
    chmod 600 "$f"
  fi
  WITSPER_DB_PASSWORD=$(sed -n 's/^WITSPER_DB_PASSWORD=//p' "$f")
  WITSPER_DB_NAME=wordpress
  WITSPER_DB_USER=witsper

  f=$V_SECRETS/admin.env
  generated_admin_password=0
  if [[ ! -s $f ]]; then
    local pw=${WITSPER_ADMIN_PASSWORD:-}
    if [[ -z $pw ]]; then pw=$(random_secret 20); generated_admin_password=1; fi
    printf 'WITSPER_ADMIN_USER=%s\nWITSPER_ADMIN_PASSWORD=%s\n' \
      "${WITSPER_ADMIN_USER:-admin}" "$pw" >"$f"
    chmod 600 "$f"
  fi
  # The environment wins over what was stored (the installer then updates the user).
  WITSPER_ADMIN_USER=${WITSPER_ADMIN_USER:-$(sed -n 's/^WITSPER_ADMIN_USER=//p' "$f")}
  WITSPER_ADMIN_PASSWORD=${WITSPER_ADMIN_PASSWORD:-$(sed -n 's/^WITSPER_ADMIN_PASSWORD=//p' "$f")}

  f=$V_SECRETS/wp-salts.php
  if [[ ! -s $f ]]; then
    # The 8 keys/salts, pinned: regenerating them would log everybody out.
    # shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's, not the shell's
    php -r '
      echo "<?php\n// Generated once by stack/up.sh; keep private.\n";
      foreach (["AUTH_KEY","SECURE_AUTH_KEY","LOGGED_IN_KEY","NONCE_KEY","AUTH_SALT",
                "SECURE_AUTH_SALT","LOGGED_IN_SALT","NONCE_SALT"] as $k) {
        printf("define(%s, %s);\n", var_export($k, true), var_export(bin2hex(random_bytes(32)), true));
      }' >"$f"
  fi
  # wp-config.php require()s it from a www-data worker.
  chown root:www-data "$f"
  chmod 640 "$f"
  chmod 711 "$V_SECRETS"
}

# ----------------------------------------------------------------------------- MariaDB ---
# shellcheck disable=SC2120  # arguments are optional: 'db_client -e SQL', or SQL on stdin (a here-doc)
db_client() { mariadb --defaults-file="$V_ETC/my.cnf" --protocol=socket -uroot "$@"; }

start_mariadb() {
  if [[ ! -d $V_DB/mysql ]]; then
    log "initializing MariaDB data directory $V_DB"
    mkdir -p "$V_DB"
    chown mysql:mysql "$V_DB"
    # root@localhost authenticates by unix socket (only the OS root can connect as it).
    mariadb-install-db --defaults-file="$V_ETC/my.cnf" --skip-test-db \
      --auth-root-authentication-method=socket >>"$V_LOG/mariadb-install.log" 2>&1 ||
      { tail -n 20 "$V_LOG/mariadb-install.log"; die "mariadb-install-db failed"; }
  fi
  if pid_alive "$DB_PID"; then return 0; fi
  log "starting mariadbd on $WITSPER_HOST:$WITSPER_DB_PORT"
  # setsid + nohup: the daemon leaves our session and survives the calling shell.
  setsid nohup mariadbd --defaults-file="$V_ETC/my.cnf" >>"$DB_LOG" 2>&1 </dev/null &
  wait_until 60 "mariadbd" db_client -e 'SELECT 1' ||
    { tail -n 20 "$DB_LOG"; die "mariadbd did not start"; }
  pid_alive "$DB_PID" || die "mariadbd wrote no pid file $DB_PID"
}

ensure_database() {
  # Idempotent: IF NOT EXISTS + ALTER keeps the password in sync with var/secrets.
  db_client <<EOF
CREATE DATABASE IF NOT EXISTS \`$WITSPER_DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$WITSPER_DB_USER'@'127.0.0.1' IDENTIFIED BY '$WITSPER_DB_PASSWORD';
CREATE USER IF NOT EXISTS '$WITSPER_DB_USER'@'localhost' IDENTIFIED BY '$WITSPER_DB_PASSWORD';
ALTER USER '$WITSPER_DB_USER'@'127.0.0.1' IDENTIFIED BY '$WITSPER_DB_PASSWORD';
ALTER USER '$WITSPER_DB_USER'@'localhost' IDENTIFIED BY '$WITSPER_DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$WITSPER_DB_NAME\`.* TO '$WITSPER_DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$WITSPER_DB_NAME\`.* TO '$WITSPER_DB_USER'@'localhost';
EOF
}

# --------------------------------------------------------------------------- WordPress ---
install_wordpress_files() {
  local version stamp=$V_WP/.witsper-wordpress-version
  version=$(dpkg-query -W -f '${Version}' wordpress)
  if [[ ! -f $stamp || $(<"$stamp") != "$version" ]]; then
    log "copying WordPress $version from $WP_SOURCE into $V_WP"
    mkdir -p "$V_WP"
    # A copy, not symlinks: wp-admin/*.php find wp-load.php via dirname(__DIR__), which
    # resolves symlinks, and would load Debian's /usr/share/wordpress/wp-config.php.
    # Debian's wp-config.php (host-based /etc/wordpress lookup) and .htaccess are left out.
    tar -C "$WP_SOURCE" --exclude=./wp-config.php --exclude=./.htaccess \
        --exclude=./wp-content/languages -cf - . | tar -C "$V_WP" -xf -
    echo "$version" >"$stamp"
  fi
  link_debian_files
  mkdir -p "$V_WP/wp-content/uploads"
  # Only uploads is writable by the workers: core, themes and plugins stay root-owned.
  chown www-data:www-data "$V_WP/wp-content/uploads"
  # Must-use plugin of the stack: sites of a network on :8080 keep their port.
  mkdir -p "$V_WP/wp-content/mu-plugins"
  [[ -L $V_WP/wp-content/mu-plugins/witsper-network-port.php ]] ||
    ln -sfn "$WITSPER_ROOT/stack/mu-plugins/witsper-network-port.php" \
      "$V_WP/wp-content/mu-plugins/witsper-network-port.php"
  if [[ -d $PLUGIN_DIR ]]; then
    [[ -L $V_WP/wp-content/plugins/witsper-ffi ]] ||
      ln -sfn "$PLUGIN_DIR" "$V_WP/wp-content/plugins/witsper-ffi"
  fi
}

# Debian's wordpress package ships some core files as symlinks into other packages it
# depends on: underscore (libjs-underscore), cropper (libjs-cropper), getID3 (php-getid3),
# the CA bundle (ca-certificates). Most are relative (../../../javascript/...), so the tar
# copy above turns them into dangling links: /wp-includes/js/underscore.min.js answered 404
# and wp-admin broke ("_ is not defined"). Each one becomes an absolute link to the file
# Debian keeps up to date (security updates of those packages reach the site, as in
# Debian's own install). Runs on every `make up`: it also repairs copies made before.
link_debian_files() {
  local rel target fixed=0
  while IFS= read -r -d '' rel; do
    rel=${rel#./}
    case $rel in wp-config.php | .htaccess | wp-content/languages) continue ;; esac
    target=$(readlink -f "$WP_SOURCE/$rel") || target=''
    [[ -n $target && -e $target ]] ||
      die "$WP_SOURCE/$rel points to a missing file ($(readlink "$WP_SOURCE/$rel")): reinstall the packages wordpress depends on (apt-get install --reinstall wordpress libjs-underscore libjs-cropper php-getid3 ca-certificates)"
    if [[ $(readlink "$V_WP/$rel" 2>/dev/null) != "$target" ]]; then
      mkdir -p "$(dirname "$V_WP/$rel")"
      ln -sfn "$target" "$V_WP/$rel"
      fixed=$((fixed + 1))
    fi
  done < <(cd "$WP_SOURCE" && find . -type l -print0)
  # Translations (wordpress-l10n, only "Recommended") are shared by a symlink when they are
  # installed; otherwise no link at all (English), never a dangling one.
  if [[ -d $WP_SOURCE/wp-content/languages ]]; then
    [[ $(readlink "$V_WP/wp-content/languages") == "$WP_SOURCE/wp-content/languages" ]] ||
      ln -sfn "$WP_SOURCE/wp-content/languages" "$V_WP/wp-content/languages"
  elif [[ -L $V_WP/wp-content/languages ]]; then
    rm -f "$V_WP/wp-content/languages"
    fixed=$((fixed + 1))
  fi
  ((fixed == 0)) || log "linked $fixed WordPress file(s) to the Debian packages that provide them"
}

write_wp_config() {
  local network=0
  [[ -f $V_STATE/network-installed ]] && network=1
  {
    cat <<EOF
<?php
// Generated by stack/up.sh on every \`make up\` (edit stack/up.sh, not this file).
define( 'DB_NAME', '$WITSPER_DB_NAME' );
define( 'DB_USER', '$WITSPER_DB_USER' );
define( 'DB_PASSWORD', '$WITSPER_DB_PASSWORD' );
define( 'DB_HOST', '$WITSPER_HOST:$WITSPER_DB_PORT' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
\$table_prefix = 'wp_';

// The 8 keys and salts, generated once and kept in var/secrets.
require __DIR__ . '/../secrets/wp-salts.php';

// Hardening shared with the Docker image (DISALLOW_FILE_EDIT, AUTOMATIC_UPDATER_DISABLED,
// WP_DEBUG*, WP_HTTP_BLOCK_EXTERNAL): one file for both runners.
require '$WITSPER_ROOT/stack/wp-config-hardening.php';
define( 'WITSPER_STACK', 'native' );
EOF
    if [[ -n $WITSPER_MULTISITE ]]; then
      cat <<EOF

// Subdirectory multisite network (MULTISITE=subdirectory make up).
define( 'WP_ALLOW_MULTISITE', true );
EOF
      if ((network)); then
        cat <<EOF
define( 'MULTISITE', true );
define( 'SUBDOMAIN_INSTALL', false );
define( 'DOMAIN_CURRENT_SITE', '$WITSPER_HOST:$WITSPER_PORT' );
define( 'PATH_CURRENT_SITE', '/' );
define( 'SITE_ID_CURRENT_SITE', 1 );
define( 'BLOG_ID_CURRENT_SITE', 1 );
EOF
      fi
    fi
    cat <<'EOF'

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
EOF
  } | put_file "$V_WP/wp-config.php" 640 || true
  chown root:www-data "$V_WP/wp-config.php"
}

run_installer() {
  local out
  # The CLI runs with FFI enabled so the plugin's activation self-test can use the library.
  out=$(env WITSPER_WP_ROOT="$V_WP" WITSPER_URL="$WITSPER_URL" \
        WITSPER_ADMIN_USER="$WITSPER_ADMIN_USER" WITSPER_ADMIN_PASSWORD="$WITSPER_ADMIN_PASSWORD" \
        WITSPER_MULTISITE="$WITSPER_MULTISITE" WITSPER_STATE="$V_STATE" WITSPER_LIB="$WITSPER_LIB" \
        WITSPER_MEDIA_LIB="$WITSPER_MEDIA_LIB" \
        php -d ffi.enable=true -d display_errors=stderr -d error_reporting='E_ALL & ~E_DEPRECATED' \
        "$WITSPER_ROOT/stack/wp-install.php" 2>>"$V_LOG/wp-install.log") ||
    { tail -n 20 "$V_LOG/wp-install.log"; die "WordPress installer failed (log: $V_LOG/wp-install.log)"; }
  [[ -n $out ]] && printf '%s\n' "$out" | sed 's/^/[stack] /'
  return 0
}

# ----------------------------------------------------------------------------- WP-CLI ---
# A real `wp` for the native stack: $WITSPER_VAR/bin/wp runs WP-CLI (the phar of
# ../shared/vendor/wp-cli, or WITSPER_WP_CLI_PHAR) against this stack's WordPress. The phar
# must be listed in docker/wp-cli/SHA256SUMS, the same list the Docker image checks it
# against. As root it runs as www-data, like the Compose wpcli service (uid 33).
install_wp_cli() {
  local src=${WITSPER_WP_CLI_PHAR:-$WITSPER_ROOT/../shared/vendor/wp-cli/wp-cli.phar}
  local bin=$WITSPER_VAR/bin sum
  mkdir -p "$bin"
  chmod 755 "$bin"
  if [[ ! -f $src && ! -f $bin/wp-cli.phar ]]; then
    # No local phar: the official release, checked against the SHA-512 published with it
    # (as the Dockerfile does). Offline, this fails and says what to do.
    local url=https://github.com/wp-cli/wp-cli/releases/download/v2.12.0/wp-cli-2.12.0.phar
    log "WP-CLI: no phar at $src; downloading $url"
    if curl -fsSL --max-time 120 -o "$bin/wp-cli.phar.new" "$url" &&
       curl -fsSL --max-time 30 -o "$bin/wp-cli.phar.sha512" "$url.sha512" &&
       echo "$(cut -d' ' -f1 "$bin/wp-cli.phar.sha512")  $bin/wp-cli.phar.new" | sha512sum -c --quiet -; then
      mv -f "$bin/wp-cli.phar.new" "$bin/wp-cli.phar"
    else
      rm -f "$bin/wp-cli.phar.new"
      die "WP-CLI: no phar at $src and the official release could not be downloaded and checked; set WITSPER_WP_CLI_PHAR to a wp-cli.phar (docker/wp-cli/README.md)"
    fi
    rm -f "$bin/wp-cli.phar.sha512"
  elif [[ -f $src ]]; then
    sum=$(sha256sum "$src" | cut -d' ' -f1)
    grep -q "^$sum  wp-cli.phar\$" "$WITSPER_ROOT/docker/wp-cli/SHA256SUMS" ||
      die "WP-CLI: $src ($sum) is not listed in docker/wp-cli/SHA256SUMS"
    cmp -s "$src" "$bin/wp-cli.phar" || install -m 0644 "$src" "$bin/wp-cli.phar"
  fi
  {
    cat <<EOF
#!/bin/sh
# WP-CLI for the native stack in $WITSPER_VAR (written by stack/up.sh; edit that, not this).
# FFI on in the CLI, as in the workers' mode true, so wp witsper status|selftest|bench use
# the library. As root: runs as www-data (HOME=/tmp for WP-CLI's cache), like Compose's
# wpcli service.
set -e
EOF
    printf 'phar=%q\nwp_root=%q\nurl=%q\n' "$bin/wp-cli.phar" "$V_WP" "$WITSPER_URL"
    [[ -n $WITSPER_LIB ]] && printf 'export WITSPER_LIB=%q\n' "$WITSPER_LIB"
    # The caller's WITSPER_MEDIA_LIB wins (tests point it at a missing file).
    # shellcheck disable=SC2016  # the ${...:=} is for the generated script, not this shell
    printf ': "${WITSPER_MEDIA_LIB:=%q}"\nexport WITSPER_MEDIA_LIB\n' "$WITSPER_MEDIA_LIB"
    cat <<'EOF'
set -- php -d ffi.enable=true -d display_errors=stderr "$phar" --path="$wp_root" --url="$url" "$@"
if [ "$(id -u)" = 0 ]; then
  exec setpriv --reuid=www-data --regid=www-data --init-groups env HOME=/tmp "$@"
fi
exec "$@"
EOF
  } | put_file "$bin/wp" 755 || true
}

# The plugin is activated with WP-CLI, as in Docker (README "WP-CLI"): network-wide on a
# network. Only when it is not active yet, so an up on a running stack changes nothing.
activate_plugin_wpcli() {
  [[ -f $PLUGIN_DIR/witsper-ffi.php ]] || return 0
  local net=()
  [[ -f $V_STATE/network-installed ]] && net=(--network)
  if ! "$WITSPER_VAR/bin/wp" plugin is-active witsper-ffi "${net[@]}" >/dev/null 2>&1; then
    "$WITSPER_VAR/bin/wp" plugin activate witsper-ffi "${net[@]}" 2>&1 | sed 's/^/[stack] wp: /'
    "$WITSPER_VAR/bin/wp" plugin is-active witsper-ffi "${net[@]}" ||
      die "WP-CLI could not activate witsper-ffi (var/bin/wp plugin activate witsper-ffi ${net[*]})"
  fi
}

# ----------------------------------------------------------------------------- php-fpm ---
fpm_fingerprint() {
  # Everything php-fpm reads at start: the rendered ini/pool files and its environment.
  cat "$V_ETC/php-fpm.conf" "$V_ETC/php-fpm.d/"*.conf "$V_ETC/php-fpm.env" \
      "$V_ETC/php/conf.d/"*.ini 2>/dev/null
  [[ -f $V_ETC/witsper_ffi.h ]] && cat "$V_ETC/witsper_ffi.h"
  # A rebuilt library (make) restarts php-fpm too: preload mode maps it once in the master,
  # and workers of mode true keep the copy they mapped.
  local lib
  lib=$(native_lib_path)
  [[ -f $lib ]] && sha256sum "$lib"
  # Mode true and preload alike: workers that loaded the media library keep that copy.
  [[ -f $WITSPER_MEDIA_LIB ]] && sha256sum "$WITSPER_MEDIA_LIB"
  true
}

# Test the new config before anything is stopped: a typo (or an ffi.preload that cannot
# load) is reported as such, and the running php-fpm keeps serving.
fpm_configtest() {
  local env_args=()
  mapfile -t env_args <"$V_ETC/php-fpm.env"
  env -i "${env_args[@]}" "$PHP_FPM_BIN" --fpm-config "$V_ETC/php-fpm.conf" -t \
    >"$V_LOG/php-fpm-configtest.log" 2>&1 ||
    { cat "$V_LOG/php-fpm-configtest.log"; die "php-fpm configuration test failed (php-fpm left as it was)"; }
}

start_fpm() {
  local env_args=()
  mapfile -t env_args <"$V_ETC/php-fpm.env"
  # A marker line: make verify counts crash lines after the last start by these scripts.
  printf '[%s] WITSPER: php-fpm started by stack/up.sh (ffi mode %s)\n' \
    "$(date -u '+%d-%b-%Y %H:%M:%S')" "$WITSPER_FFI_MODE" >>"$FPM_LOG"
  log "starting php-fpm on $WITSPER_HOST:$WITSPER_FPM_PORT (status $WITSPER_HOST:$WITSPER_FPM_STATUS_PORT, ffi.enable=$WITSPER_FFI_MODE)"
  # The master runs as root and forks www-data workers; it daemonizes itself (pid file).
  env -i "${env_args[@]}" setsid "$PHP_FPM_BIN" --fpm-config "$V_ETC/php-fpm.conf" </dev/null
  wait_until 30 "php-fpm pid file" pid_alive "$FPM_PID" ||
    { tail -n 20 "$FPM_LOG"; die "php-fpm did not start"; }
  wait_until 30 "php-fpm listeners" port_open "$WITSPER_FPM_PORT" ||
    { tail -n 20 "$FPM_LOG"; die "php-fpm does not listen on $WITSPER_FPM_PORT"; }
  wait_until 10 "php-fpm status listener" port_open "$WITSPER_FPM_STATUS_PORT" ||
    die "php-fpm status listener does not listen on $WITSPER_FPM_STATUS_PORT"
  fpm_fingerprint | sha256sum | cut -d' ' -f1 >"$V_RUN/php-fpm.fingerprint"
}

port_open() { (exec 3<>"/dev/tcp/$WITSPER_HOST/$1") 2>/dev/null; }

ensure_fpm() {
  local want have=''
  want=$(fpm_fingerprint | sha256sum | cut -d' ' -f1)
  [[ -f $V_RUN/php-fpm.fingerprint ]] && have=$(<"$V_RUN/php-fpm.fingerprint")
  if pid_alive "$FPM_PID"; then
    if [[ $want == "$have" && $mode != --fpm-restart ]]; then return 0; fi
    fpm_configtest
    log "php-fpm settings changed (or restart asked): restarting php-fpm only"
    # SIGQUIT = graceful: workers finish their current request first.
    stop_pidfile php-fpm "$FPM_PID" QUIT 15
  else
    fpm_configtest
  fi
  start_fpm
}

# ------------------------------------------------------------------------------- nginx ---
nginx_fingerprint() { cat "$V_ETC/nginx/nginx.conf" "$V_ETC/nginx/witsper.conf" | sha256sum | cut -d' ' -f1; }

ensure_nginx() {
  nginx -t -q -c "$V_ETC/nginx/nginx.conf" 2>>"$NGINX_ERROR_LOG" ||
    { tail -n 5 "$NGINX_ERROR_LOG"; die "nginx configuration test failed"; }
  local want have=''
  want=$(nginx_fingerprint)
  [[ -f $V_RUN/nginx.fingerprint ]] && have=$(<"$V_RUN/nginx.fingerprint")
  if pid_alive "$NGINX_PID"; then
    [[ $want == "$have" ]] && return 0
    log "nginx config changed: reloading nginx"
    # HUP: the master re-reads its config and replaces workers gracefully.
    kill -HUP "$(<"$NGINX_PID")"
    sleep 0.5
  else
    log "starting nginx on http://$WITSPER_HOST:$WITSPER_PORT/"
    # -g "daemon on" is the default; the master forks and writes the pid file itself.
    nginx -c "$V_ETC/nginx/nginx.conf" </dev/null
    wait_until 15 "nginx" port_open "$WITSPER_PORT" ||
      { tail -n 20 "$NGINX_ERROR_LOG"; die "nginx did not start"; }
  fi
  echo "$want" >"$V_RUN/nginx.fingerprint"
}

# ------------------------------------------------------------------------- stack.env ---
write_stack_env() {
  {
    echo "# Written by stack/up.sh: the running stack, for scripts and tests (source it)."
    local k
    for k in WITSPER_URL WITSPER_WP_ROOT WITSPER_VAR WITSPER_ROOT WITSPER_PORT \
             WITSPER_FPM_PORT WITSPER_FPM_STATUS_PORT WITSPER_FPM_LISTEN WITSPER_FPM_STATUS \
             WITSPER_FPM_LOG WITSPER_FPM_SLOWLOG WITSPER_FPM_PID WITSPER_NGINX_PID \
             WITSPER_NGINX_ERROR_LOG WITSPER_NGINX_ACCESS_LOG WITSPER_DB_PID WITSPER_DB_LOG \
             WITSPER_FFI_MODE WITSPER_FFI_PRELOAD WITSPER_LIB WITSPER_MEDIA_LIB WITSPER_PHP_EXTRA_INI \
             WITSPER_FPM_MAX_REQUESTS WITSPER_FPM_MAX_SPARE_SERVERS WITSPER_MULTISITE WITSPER_ADMIN_USER \
             WITSPER_ADMIN_PASSWORD WITSPER_DB_NAME WITSPER_DB_USER WITSPER_DB_PASSWORD \
             WITSPER_DB_HOST WITSPER_DB_PORT WITSPER_DB_SOCKET WITSPER_PHP_INI_SCAN_DIR \
             WITSPER_FPM_STATUS_PATH WITSPER_FPM_PING_PATH; do
      printf '%s=%q\n' "$k" "${!k}"
    done
  } | put_file "$WITSPER_VAR/stack.env" 600 || true
}

# -------------------------------------------------------------------------------- main ---
check_settings
# shellcheck disable=SC2034  # written to var/stack.env by name (write_stack_env reads "${!k}")
{
WITSPER_URL=http://$WITSPER_HOST:$WITSPER_PORT
WITSPER_WP_ROOT=$V_WP
WITSPER_FPM_LISTEN=$WITSPER_HOST:$WITSPER_FPM_PORT
WITSPER_FPM_STATUS=$WITSPER_HOST:$WITSPER_FPM_STATUS_PORT
# The pool's status and ping paths, read once from php-fpm.conf (their one source) and handed
# to every script through stack.env.
WITSPER_FPM_STATUS_PATH=$(sed -n 's/^[[:space:]]*pm\.status_path[[:space:]]*=[[:space:]]*\([^[:space:];]*\).*/\1/p' "$WITSPER_ROOT/php-fpm.conf" | tail -n 1)
WITSPER_FPM_PING_PATH=$(sed -n 's/^[[:space:]]*ping\.path[[:space:]]*=[[:space:]]*\([^[:space:];]*\).*/\1/p' "$WITSPER_ROOT/php-fpm.conf" | tail -n 1)
WITSPER_FPM_LOG=$FPM_LOG
WITSPER_FPM_SLOWLOG=$V_LOG/php-fpm-slow.log
WITSPER_FPM_PID=$FPM_PID
WITSPER_NGINX_PID=$NGINX_PID
WITSPER_NGINX_ERROR_LOG=$NGINX_ERROR_LOG
WITSPER_NGINX_ACCESS_LOG=$NGINX_ACCESS_LOG
WITSPER_DB_PID=$DB_PID
WITSPER_DB_LOG=$DB_LOG
WITSPER_DB_HOST=$WITSPER_HOST
WITSPER_DB_SOCKET=$DB_SOCKET
WITSPER_FFI_PRELOAD=''
[[ $WITSPER_FFI_MODE == preload ]] && WITSPER_FFI_PRELOAD=$V_ETC/witsper_ffi.h
WITSPER_PHP_INI_SCAN_DIR=$DEBIAN_PHP_CONF_D:$V_ETC/php/conf.d
}

if [[ $mode == --fpm-restart ]]; then
  # php-fpm only, with the FFI mode/extra ini/library/max requests of the environment.
  [[ -f $WITSPER_VAR/stack.env ]] || die "no stack in $WITSPER_VAR (run make up first)"
  ensure_secrets
  render_php
  ensure_fpm
  write_stack_env
  log "php-fpm restarted in $((SECONDS - started_at))s"
  exit 0
fi

install_packages
check_ports
make_dirs
ensure_secrets
render_php
render_nginx
render_mariadb
start_mariadb
ensure_database
install_wordpress_files
write_wp_config
had_network=0
[[ -f $V_STATE/network-installed ]] && had_network=1
run_installer
if [[ -f $V_STATE/network-installed ]] && ((!had_network)); then
  # The installer turned the site into a network: wp-config.php now gets MULTISITE, and a
  # second pass network-activates the plugin as the network it now is.
  write_wp_config
  run_installer
fi
install_wp_cli
activate_plugin_wpcli
ensure_fpm
ensure_nginx
write_stack_env

code=$(curl -s -o /dev/null -w '%{http_code}' -L --max-time 30 "$WITSPER_URL/") || code=000
log "WordPress: $WITSPER_URL/ (HTTP $code)  admin: $WITSPER_URL/wp-admin/ user $WITSPER_ADMIN_USER"
if ((generated_admin_password)); then
  log "generated admin password: $WITSPER_ADMIN_PASSWORD (kept in $V_SECRETS/admin.env)"
else
  log "admin password: see $V_SECRETS/admin.env (or WITSPER_ADMIN_PASSWORD in $WITSPER_VAR/stack.env)"
fi
((${#changed_files[@]})) && log "changed: ${changed_files[*]#"$WITSPER_VAR/"}"
log "up in $((SECONDS - started_at))s (ffi.enable=$WITSPER_FFI_MODE${WITSPER_MULTISITE:+, multisite $WITSPER_MULTISITE})"
[[ $code == 200 ]] || die "the site answered HTTP $code, expected 200 (see $V_LOG)"
