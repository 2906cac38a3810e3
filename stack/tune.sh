#!/usr/bin/env bash
# `make tune`: recommend pm.max_children for this machine from the measured RSS of the
# running php-fpm workers and the memory available (fpm-probe advise shows the arithmetic).
# Measure after some traffic (e.g. make load), when workers have reached their working size.
set -Eeuo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"

load_stack_env || die "no stack in $WITSPER_VAR (run make up)"
[[ -x $PROBE_BIN ]] || die "fpm-probe is not built (make probe)"
pid_alive "$FPM_PID" || die "php-fpm is not running (make up)"
exec "$PROBE_BIN" advise --pid-file "$FPM_PID" --connect "$WITSPER_FPM_STATUS" "$@"
