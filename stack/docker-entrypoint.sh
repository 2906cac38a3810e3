#!/bin/sh
# Entrypoint of the Witsper image, in front of the official docker-entrypoint.sh.
# Turns the one setting WITSPER_FFI_MODE (true | preload) into what php.ini expands:
#   preload: ffi.preload = the installed witsper_ffi.h (FFI_LIB is the soname, resolved by
#            ldconfig), opcache.preload = the plugin's preload.php;
#   true:    both empty.
# Everything else is the official image's job (copying WordPress into the volume,
# wp-config.php from WORDPRESS_* variables, then exec php-fpm).
set -eu

case "${WITSPER_FFI_MODE:=true}" in
  true)
    WITSPER_FFI_PRELOAD=''
    WITSPER_OPCACHE_PRELOAD=''
    ;;
  preload)
    WITSPER_FFI_PRELOAD=/usr/local/share/witsper/witsper_ffi.h
    WITSPER_OPCACHE_PRELOAD=/usr/src/wordpress/wp-content/plugins/witsper-ffi/preload.php
    ;;
  *)
    echo "witsper-entrypoint: WITSPER_FFI_MODE must be 'true' or 'preload', not '$WITSPER_FFI_MODE'" >&2
    exit 1
    ;;
esac
export WITSPER_FFI_MODE WITSPER_FFI_PRELOAD WITSPER_OPCACHE_PRELOAD

exec docker-entrypoint.sh "$@"
