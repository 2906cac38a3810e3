#!/usr/bin/env bash
# `make logs`: the last lines of every stack log, then follow them (Ctrl-C to stop).
# WITSPER_LOG_LINES=N changes how many lines; FOLLOW=0 prints and exits (scripts, CI).
set -Eeuo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"
[[ -d $V_LOG ]] || die "no logs in $V_LOG (run make up first)"
files=("$FPM_LOG" "$V_LOG/php-fpm-slow.log" "$NGINX_ERROR_LOG" "$NGINX_ACCESS_LOG" "$DB_LOG" "$V_LOG/wp-install.log")
existing=()
for f in "${files[@]}"; do [[ -f $f ]] && existing+=("$f"); done
if [[ ${FOLLOW:-1} == 1 && -t 1 ]]; then
  exec tail -n "${WITSPER_LOG_LINES:-20}" -F "${existing[@]}"
fi
tail -n "${WITSPER_LOG_LINES:-20}" "${existing[@]}"
