#!/usr/bin/env bash
# `make down`: stop exactly the processes `make up` started, by their pid files in
# $WITSPER_VAR/run (never by name: other stacks may run on this machine). State stays in
# $WITSPER_VAR; `rm -rf var` after `make down` starts from scratch.
set -Eeuo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"

# nginx first (no new requests), then php-fpm, then the database they use.
# QUIT is the graceful stop of nginx and php-fpm; TERM is mariadbd's clean shutdown.
stop_pidfile nginx "$NGINX_PID" QUIT 15
stop_pidfile php-fpm "$FPM_PID" QUIT 15
stop_pidfile mariadbd "$DB_PID" TERM 60
rm -f "$WITSPER_VAR/run/php-fpm.fingerprint" "$WITSPER_VAR/run/nginx.fingerprint"
log "stopped (state kept in $WITSPER_VAR)"
