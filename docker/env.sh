# shellcheck shell=bash
# Witsper's private Docker engine: every name and path in one place. Sourced by
# docker/engine.sh, docker/bases/build.sh, tests/compose/run.sh and the Makefile targets
# docker-env / docker-down / docker-bases / test-compose.
#
# Why a private engine: this project's machines (and CI) have Debian's docker.io but no
# image registry, and other work may use the machine's default engine. Its data root is
# outside the clone so that base images built once are reused by every later run (and by
# CI on the same machine); nothing here is ever inside the repository.
# Each can be overridden from the environment.
: "${WITSPER_DOCKER_ROOT:=/var/cache/witsper/docker}"      # images, layers, volumes (cache)
: "${WITSPER_DOCKER_EXEC:=/run/witsper-docker}"             # runtime state (sockets of containerd)
: "${WITSPER_DOCKER_SOCK:=/run/witsper-docker.sock}"
: "${WITSPER_DOCKER_PID:=/run/witsper-docker.pid}"
: "${WITSPER_DOCKER_LOG:=/var/cache/witsper/dockerd.log}"
# Sources of the stand-in base images (Debian source packages), cached beside the data root.
: "${WITSPER_BASES_SRC:=/var/cache/witsper/src}"
# Debian's mirror as apt on this machine already uses it (no other download site is used).
: "${WITSPER_DEBIAN_MIRROR:=http://deb.debian.org/debian}"
: "${WITSPER_DEBIAN_SECURITY:=http://deb.debian.org/debian-security}"
# Debian's docker client: the /usr/local/bin/docker 28.x some machines have lacks buildx,
# which its `docker build` needs; Debian's 20.10 client has BuildKit built in.
: "${WITSPER_DOCKER_BIN:=/usr/bin/docker}"
export WITSPER_DOCKER_ROOT WITSPER_DOCKER_EXEC WITSPER_DOCKER_SOCK WITSPER_DOCKER_PID \
       WITSPER_DOCKER_LOG WITSPER_BASES_SRC WITSPER_DEBIAN_MIRROR WITSPER_DEBIAN_SECURITY \
       WITSPER_DOCKER_BIN
# Docker CLI config of the private engine: its cli-plugins/ holds Compose v2 and buildx,
# taken from Debian trixie's packages (bookworm has neither; both need only libc6 >= 2.34)
# and unpacked here, not installed system-wide. `docker compose` then works with Debian's
# docker 20.10 client.
: "${WITSPER_DOCKER_CONFIG:=/var/cache/witsper/docker-config}"
: "${WITSPER_COMPOSE_V2_DEB:=docker-compose=2.26.1-4}"
: "${WITSPER_BUILDX_DEB:=docker-buildx=0.13.1+ds1-3}"
export WITSPER_DOCKER_CONFIG WITSPER_COMPOSE_V2_DEB WITSPER_BUILDX_DEB
