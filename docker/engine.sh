#!/usr/bin/env bash
# The private Docker engine (names in docker/env.sh).
#   docker/engine.sh start    start dockerd unless it answers already; prints nothing else
#   docker/engine.sh stop     stop the dockerd this script started (by its pid file)
#   docker/engine.sh status   exit 0 if it answers
#   docker/engine.sh env      print `export DOCKER_HOST=... PATH=...` for eval
# Installs Debian's docker.io (+ iptables, tini, docker-compose) when dockerd is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=docker/env.sh
. "$here/env.sh"

dk() { DOCKER_HOST="unix://$WITSPER_DOCKER_SOCK" "$WITSPER_DOCKER_BIN" "$@"; }

answers() { [ -S "$WITSPER_DOCKER_SOCK" ] && dk version >/dev/null 2>&1; }

install_engine() {
  # iptables: without the binary, containers do not resolve each other by service name
  # (even with --iptables=false: the rules go into the containers' own namespaces).
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io containerd runc)
  [ -x "$WITSPER_DOCKER_BIN" ] || need+=(docker.io)
  command -v iptables >/dev/null || need+=(iptables)
  command -v docker-init >/dev/null || command -v tini >/dev/null || need+=(tini)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  command -v zstd >/dev/null || need+=(zstd)
  if [ ${#need[@]} -gt 0 ]; then
    echo "engine: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  fi
}

# Compose v2 and buildx as CLI plugins in $WITSPER_DOCKER_CONFIG/cli-plugins (see env.sh).
plugins() {
  local dir="$WITSPER_DOCKER_CONFIG/cli-plugins"
  [ -x "$dir/docker-compose" ] && [ -x "$dir/docker-buildx" ] && return 0
  local a="$WITSPER_DOCKER_CONFIG/apt" tmp
  mkdir -p "$dir" "$a/lists/partial" "$a/cache/archives/partial"
  echo "deb $WITSPER_DEBIAN_MIRROR trixie main" >"$a/sources.list"
  local o=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache" -o APT::Sandbox::User=root)
  apt-get "${o[@]}" update -qq >&2
  tmp="$(mktemp -d)"
  # apt checks each .deb against the signed Release file of the mirror.
  (cd "$tmp" && apt-get "${o[@]}" download "$WITSPER_COMPOSE_V2_DEB" "$WITSPER_BUILDX_DEB" >&2)
  local deb
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
  install -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" "$dir/docker-compose"
  install -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-buildx" "$dir/docker-buildx"
  rm -rf "$tmp"
}

start() {
  plugins
  answers && return 0
  install_engine
  mkdir -p "$WITSPER_DOCKER_ROOT" "$WITSPER_DOCKER_EXEC" "$(dirname "$WITSPER_DOCKER_LOG")"
  # A stale pid file from a killed run would make dockerd refuse to start.
  if [ -f "$WITSPER_DOCKER_PID" ] && ! kill -0 "$(cat "$WITSPER_DOCKER_PID")" 2>/dev/null; then
    rm -f "$WITSPER_DOCKER_PID" "$WITSPER_DOCKER_SOCK"
  fi
  # No host firewall or NAT changes (--iptables=false, no masquerade): containers reach each
  # other on the project's own bridge networks and the host reaches published ports on
  # loopback; nothing else on the machine is touched. --bridge=none: no default docker0.
  # Low priority: the machine is shared (builds run inside the daemon's children).
  nohup nice -n 10 dockerd \
    --data-root "$WITSPER_DOCKER_ROOT" --exec-root "$WITSPER_DOCKER_EXEC" \
    --pidfile "$WITSPER_DOCKER_PID" -H "unix://$WITSPER_DOCKER_SOCK" \
    --iptables=false --ip6tables=false --ip-masq=false --bridge=none \
    --storage-driver overlay2 \
    >>"$WITSPER_DOCKER_LOG" 2>&1 </dev/null &
  local _
  for _ in $(seq 1 60); do
    answers && return 0
    sleep 1
  done
  echo "engine: dockerd did not answer on $WITSPER_DOCKER_SOCK within 60 s; log: $WITSPER_DOCKER_LOG" >&2
  tail -20 "$WITSPER_DOCKER_LOG" >&2
  return 1
}

stop() {
  [ -f "$WITSPER_DOCKER_PID" ] || { echo "engine: not running (no $WITSPER_DOCKER_PID)"; return 0; }
  local pid; pid="$(cat "$WITSPER_DOCKER_PID")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    local _
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then echo "engine: dockerd $pid still running after 30 s" >&2; return 1; fi
  fi
  rm -f "$WITSPER_DOCKER_PID"
  echo "engine: stopped dockerd $pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  env)
    # Debian's client first on PATH: the 28.x client in /usr/local/bin lacks buildx.
    echo "export DOCKER_HOST=unix://$WITSPER_DOCKER_SOCK"
    echo "export PATH=$(dirname "$WITSPER_DOCKER_BIN"):\$PATH"
    echo "export DOCKER_CONFIG=$WITSPER_DOCKER_CONFIG"
    echo "export DOCKER_BUILDKIT=1" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
