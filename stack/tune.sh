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
# The worst case (every worker at memory_limit at once) is printed beside the measured one:
# memory_limit comes from the same php.ini the workers run with.
limit_mb=$(awk -F= '/^[[:space:]]*memory_limit[[:space:]]*=/ {gsub(/[^0-9]/, "", $2); print $2}' \
           "$WITSPER_ROOT/php.ini" | tail -n 1)
"$PROBE_BIN" advise --pid-file "$FPM_PID" --connect "$WITSPER_FPM_STATUS" \
  ${limit_mb:+--memory-limit-mb "$limit_mb"} "$@"
# Memory is only one bound. A PHP request is CPU-bound while it renders: children beyond a
# few per core only wait for a CPU, holding memory and adding latency. make load shows it
# (req/s stops rising, p99 grows) and the pool status shows it (listen queue, busy workers).
cores=$(nproc)
echo "CPU bound         = $cores cores: past ~$((cores * 4)) busy children requests queue for CPU"
echo "                    (keep the larger configured value only for I/O-bound pages;"
echo "                     confirm with make load and 'make status' listen queue)"
