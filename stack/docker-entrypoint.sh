#!/bin/sh
# Entrypoint of the Witsper image, in front of the official docker-entrypoint.sh.
# Turns the one setting WITSPER_FFI_MODE (true | preload) into what php.ini expands:
#   preload: ffi.preload = the installed witsper_ffi.h (FFI_LIB is the soname, resolved by
#            ldconfig), opcache.preload = the plugin's preload.php;
#   true:    both empty.
# Everything else is the official image's job (copying WordPress into the volume,
# wp-config.php from WORDPRESS_* variables, then exec php-fpm).
set -eu

# stack/ffi-mode.sh (installed as witsper-ffi-mode) turns the mode into the two settings,
# as for the native run. The installed header keeps the soname as FFI_LIB: nothing to render.
: "${WITSPER_FFI_MODE:=true}"
settings=$(witsper-ffi-mode settings "$WITSPER_FFI_MODE" \
  /usr/local/share/witsper/witsper_ffi.h \
  /usr/src/wordpress/wp-content/plugins/witsper-ffi/preload.php) || exit 1
WITSPER_FFI_PRELOAD=$(printf '%s\n' "$settings" | sed -n 's/^WITSPER_FFI_PRELOAD=//p')
WITSPER_OPCACHE_PRELOAD=$(printf '%s\n' "$settings" | sed -n 's/^WITSPER_OPCACHE_PRELOAD=//p')
export WITSPER_FFI_MODE WITSPER_FFI_PRELOAD WITSPER_OPCACHE_PRELOAD

exec docker-entrypoint.sh "$@"
