#!/usr/bin/env bash
# Restart php-fpm only, with the php-fpm settings of the current environment
# (WITSPER_FFI_MODE, WITSPER_PHP_EXTRA_INI, WITSPER_LIB, WITSPER_MEDIA_LIB, WITSPER_FPM_MAX_REQUESTS,
# WITSPER_FPM_MAX_SPARE_SERVERS; unset
# ones take their defaults, as with `make up`). nginx and MariaDB keep running, and
# var/stack.env is rewritten to match. Used by the load, fault and PHPUnit suites, e.g.:
#   WITSPER_FFI_MODE=preload WITSPER_FPM_MAX_REQUESTS=0 stack/fpm-restart.sh
#   stack/fpm-restart.sh            # back to the defaults
exec "$(dirname "$0")/up.sh" --fpm-restart
