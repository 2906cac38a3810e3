# shellcheck shell=bash
# Shared settings and helpers of the native stack scripts (sourced, never run).
# Every setting is an environment variable with a default, so a second stack can run
# beside the first: WITSPER_VAR=/tmp/s2 WITSPER_PORT=8180 ... make up.

# shellcheck disable=SC2034  # whole file: sourced; the settings are used by the scripts that source it
WITSPER_ROOT=${WITSPER_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
WITSPER_VAR=${WITSPER_VAR:-$WITSPER_ROOT/var}
# Relative paths would break once a daemon changes its working directory.
[[ $WITSPER_VAR == /* ]] || WITSPER_VAR=$PWD/$WITSPER_VAR

# Where a stack lives (its ports, multisite or not) is sticky: a later `make up`, `make
# verify` ... on the same WITSPER_VAR reuse what var/stack.env recorded unless the
# environment says otherwise. How php-fpm runs (FFI mode, extra ini, library, max
# requests) is read from the environment on every `make up`, with the defaults below.
# shellcheck source=stack/env.sh
. "$WITSPER_ROOT/stack/env.sh"
if [[ -f $WITSPER_VAR/stack.env ]]; then
  while IFS='=' read -r _key _value; do
    [[ -n ${!_key:-} ]] || printf -v "$_key" '%s' "$_value"
  done < <(stack_env_load "$WITSPER_VAR/stack.env" &&
           for _key in WITSPER_PORT WITSPER_FPM_PORT WITSPER_FPM_STATUS_PORT WITSPER_DB_PORT WITSPER_MULTISITE; do
             printf '%s=%s\n' "$_key" "${!_key:-}"; done)
  unset _key _value
fi

WITSPER_HOST=127.0.0.1                              # loopback only, never configurable
WITSPER_PORT=${WITSPER_PORT:-8080}                  # nginx
WITSPER_FPM_PORT=${WITSPER_FPM_PORT:-9080}          # php-fpm pool (FastCGI)
WITSPER_FPM_STATUS_PORT=${WITSPER_FPM_STATUS_PORT:-9081}  # pm.status_listen
WITSPER_DB_PORT=${WITSPER_DB_PORT:-3307}            # not 3306: leave a system MariaDB alone
WITSPER_FFI_MODE=${WITSPER_FFI_MODE:-true}          # true | preload
WITSPER_FPM_MAX_REQUESTS=${WITSPER_FPM_MAX_REQUESTS:-1000}
WITSPER_FPM_MAX_SPARE_SERVERS=${WITSPER_FPM_MAX_SPARE_SERVERS:-6}  # 2..20 (pm.max_children)
WITSPER_LIB=${WITSPER_LIB:-}
# The media library (libvips) the workers load at their first image job: the one `make media`
# built unless set. Passed to php-fpm and WP-CLI like WITSPER_LIB; never preloaded.
WITSPER_MEDIA_LIB=${WITSPER_MEDIA_LIB:-$WITSPER_ROOT/media/build/libwitsper-media.so}
WITSPER_PHP_EXTRA_INI=${WITSPER_PHP_EXTRA_INI:-}
# MULTISITE is the user-facing name from the README; WITSPER_MULTISITE also works.
WITSPER_MULTISITE=${WITSPER_MULTISITE:-${MULTISITE:-}}

PHP_VERSION=8.2
PHP_FPM_BIN=php-fpm$PHP_VERSION
DEBIAN_PHP_CONF_D=/etc/php/$PHP_VERSION/fpm/conf.d
WP_SOURCE=/usr/share/wordpress

# Layout of the state directory.
V_ETC=$WITSPER_VAR/etc
V_RUN=$WITSPER_VAR/run
V_LOG=$WITSPER_VAR/log
V_DB=$WITSPER_VAR/mysql
V_WP=$WITSPER_VAR/wordpress
V_SECRETS=$WITSPER_VAR/secrets
V_STATE=$WITSPER_VAR/state

FPM_PID=$V_RUN/php-fpm.pid
NGINX_PID=$V_RUN/nginx.pid
DB_PID=$V_RUN/mariadbd.pid
DB_SOCKET=$V_RUN/mysqld.sock
FPM_LOG=$V_LOG/php-fpm.log
NGINX_ERROR_LOG=$V_LOG/nginx-error.log
NGINX_ACCESS_LOG=$V_LOG/nginx-access.log
DB_LOG=$V_LOG/mariadb.log
PROBE_BIN=$WITSPER_ROOT/probe/build/fpm-probe
PLUGIN_DIR=$WITSPER_ROOT/plugin/witsper-ffi

log() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# pid_alive FILE: the pid in FILE names a live process that is one of ours (its command
# line names nginx, php-fpm or mariadbd: a recycled pid of something else is not ours).
pid_alive() {
  local pid cmd
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *nginx* || $cmd == *php-fpm* || $cmd == *mariadbd* ]]
}

# stop_pidfile NAME FILE SIGNAL SECONDS: signal the process in FILE and wait for it to go,
# then SIGKILL it if it outlived the grace period. Only ever touches the pid we recorded.
stop_pidfile() {
  local name=$1 file=$2 sig=$3 grace=$4 pid i
  if ! pid_alive "$file"; then rm -f "$file"; return 0; fi
  pid=$(<"$file")
  log "stopping $name (pid $pid)"
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return 0; }
    sleep 0.1
  done
  log "$name did not stop in ${grace}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.2
  rm -f "$file"
}

# wait_until SECONDS DESCRIPTION COMMAND...: bounded retry of COMMAND every 0.2 s.
wait_until() {
  local limit=$1 what=$2 i
  shift 2
  for ((i = 0; i < limit * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  log "timed out after ${limit}s waiting for $what"
  return 1
}

# Load var/stack.env (written by up.sh): it describes the stack that is running, so its
# values win over defaults and the environment (verify, status, tune and wp.sh describe
# that stack, not the one the environment would start).
load_stack_env() { stack_env_load "$WITSPER_VAR/stack.env"; }

# The library a worker loads natively: WITSPER_LIB wins, else the one `make` built.
native_lib_path() {
  if [[ -n $WITSPER_LIB ]]; then echo "$WITSPER_LIB"
  else echo "$WITSPER_ROOT/native/build/libwitsper.so.1"; fi
}
