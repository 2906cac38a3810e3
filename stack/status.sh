#!/usr/bin/env bash
# `make status`: the stack's processes (from their pid files) and the php-fpm pool status
# (fpm-probe on the status listener; without fpm-probe, nginx's health location).
# Exit 0 when nginx, php-fpm and mariadbd all run and the pool answers.
set -Eeuo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"

load_stack_env || { echo "no stack in $WITSPER_VAR (run make up)"; exit 1; }
down=0
for entry in "nginx:$NGINX_PID" "php-fpm:$FPM_PID" "mariadbd:$DB_PID"; do
  name=${entry%%:*} file=${entry#*:}
  if pid_alive "$file"; then
    pid=$(<"$file")
    printf '%-9s running  pid %-7s %s\n' "$name" "$pid" \
      "$(ps -o rss=,etime= -p "$pid" | awk '{printf "rss %d MB, up %s", $1/1024, $2}')"
  else
    printf '%-9s STOPPED  (%s)\n' "$name" "$file"
    down=1
  fi
done
if pid_alive "$FPM_PID"; then
  workers=$(pgrep -d, -P "$(<"$FPM_PID")" || true)
  if [[ -n $workers ]]; then
    ps -o pid=,user=,rss=,etime= -p "$workers" |
      awk '{printf "  worker %-7s %-9s rss %6.1f MB  up %s\n", $1, $2, $3/1024, $4}'
  else
    echo "  no php-fpm workers"
  fi
fi
echo "site: $WITSPER_URL  ffi.enable=$WITSPER_FFI_MODE${WITSPER_MULTISITE:+  multisite=$WITSPER_MULTISITE}"
echo "pool: $WITSPER_FPM_LISTEN  status listener: $WITSPER_FPM_STATUS"
if [[ -x $PROBE_BIN ]]; then
  # --busy-ok: a saturated pool is busy, not down; the exit code here is about processes.
  "$PROBE_BIN" status --connect "$WITSPER_FPM_STATUS" --busy-ok | jq . 2>/dev/null ||
    { echo "pool status: no answer from $WITSPER_FPM_STATUS"; down=1; }
else
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$WITSPER_URL/nginx-health" || true)
  echo "pool status: fpm-probe not built (make probe); nginx health: HTTP ${code:-none}"
fi
exit "$down"
