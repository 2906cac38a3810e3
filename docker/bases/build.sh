#!/usr/bin/env bash
# Local stand-ins for the base images the project's Dockerfile and docker-compose.yml name,
# for machines with Debian's apt mirror but no image registry. Builds into the private
# engine (docker/env.sh) only what is missing there; on a machine that can pull, do not
# run this (the real images are better).
#
#   docker/bases/build.sh [--force] [debian|php|wordpress|mariadb|nginx ...]
#
# What each stand-in is (and how it differs from the real image) is in docker/bases/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=docker/env.sh
. "$here/../env.sh"
# shellcheck source=docker/bases/versions.sh
. "$here/versions.sh"
export DOCKER_HOST="unix://$WITSPER_DOCKER_SOCK" DOCKER_BUILDKIT=1
docker() { "$WITSPER_DOCKER_BIN" "$@"; }
log() { printf '%s bases: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

force=0
have() { [ "$force" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }

# A private apt setup on the host, only to download Debian *source* packages (deb-src) into
# $WITSPER_BASES_SRC; the machine's own apt configuration is not changed.
aptsrc() {
  local d="$WITSPER_BASES_SRC/apt"
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  [ -f "$d/sources.list" ] || {
    echo "deb-src $WITSPER_DEBIAN_MIRROR $BASES_SRC_SUITE main"
    echo "deb-src $WITSPER_DEBIAN_SECURITY $BASES_SRC_SUITE-security main"
  } >"$d/sources.list"
  local o=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o APT::Sandbox::User=root)
  # Lists already fetched (anything but apt's own "partial" folder): no update.
  local fetched=no f
  for f in "$d"/lists/*; do [[ -e $f && ${f##*/} != partial ]] && fetched=yes; done
  [[ $fetched == yes ]] || apt-get "${o[@]}" update -qq >&2
  (cd "$WITSPER_BASES_SRC" && apt-get "${o[@]}" source --download-only "$@" >&2)
}

# debian:<suite>-slim: mmdebstrap minbase, slimmed the way the official image is (no docs,
# man pages, locales; apt lists removed; no recommends), imported as an image.
build_debian() {
  local suite="$BASES_SUITE" tag="debian:$BASES_SUITE-slim"
  have "$tag" && { log "$tag present"; return 0; }
  log "building $tag (mmdebstrap)"
  local tmp; tmp="$(mktemp -d)"
  # shellcheck disable=SC2016  # "$1" in the hook is mmdebstrap's argument, expanded by its shell
  mmdebstrap --variant=minbase --format=tar --skip=check/empty \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Languages "none"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/etc/machine-id; : > "$1"/etc/machine-id' \
    "$suite" "$tmp/rootfs.tar" \
    "deb $WITSPER_DEBIAN_MIRROR $suite main" \
    "deb $WITSPER_DEBIAN_MIRROR $suite-updates main" \
    "deb $WITSPER_DEBIAN_SECURITY $suite-security main" >&2
  docker import --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tmp/rootfs.tar" "$tag" >&2
  rm -rf "$tmp"
}

# sha256 of a file as listed in a Debian .dsc (apt checked the .dsc against the signed
# Release file when it downloaded it).
dsc_sha256() { awk -v f="$2" '/^Checksums-Sha256:/ {c=1; next} /^[^ ]/ {c=0} c && $3 == f {print $1}' "$1"; }

# Build a stand-in from docker/bases/<dir> plus extra context files: build_ctx DIR TAG FILE... -- ARGS
build_ctx() {
  local dir="$1" tag="$2"; shift 2
  local tmp; tmp="$(mktemp -d)"
  cp -a "$here/$dir/." "$tmp/"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do cp -a "$1" "$tmp/"; shift; done
  [ "${1:-}" = -- ] && shift
  # --network host: build containers get the host's network (the apt mirror); the private
  # engine has no bridge/NAT for them.
  # (the daemon already runs at nice 10, and the build runs in its children)
  docker build --network host -t "$tag" "$@" "$tmp" >&2
  rm -rf "$tmp"
}

# php:8.2-fpm from docker-library/php's own Dockerfile, PHP from Debian's source package.
build_php() {
  local tag=php:8.2-fpm
  have "$tag" && { log "$tag present"; return 0; }
  build_debian
  local v="${BASES_PHP_DEB%%-*}"   # upstream version, e.g. 8.2.32
  local dsc="$WITSPER_BASES_SRC/php8.2_${BASES_PHP_DEB}.dsc"
  [ -f "$dsc" ] || aptsrc "php8.2=$BASES_PHP_DEB"
  local orig="$WITSPER_BASES_SRC/php8.2_$v.orig.tar.xz"
  local sha; sha="$(dsc_sha256 "$dsc" "php8.2_$v.orig.tar.xz")"
  [ -n "$sha" ] || { log "no sha256 for php8.2_$v.orig.tar.xz in $dsc"; return 1; }
  local tmp; tmp="$(mktemp -d)"
  cp "$orig" "$tmp/php.tar.xz"; cp "$orig.asc" "$tmp/php.tar.xz.asc"
  tar -xJf "$WITSPER_BASES_SRC/php8.2_${BASES_PHP_DEB}.debian.tar.xz" -C "$tmp" debian/upstream/signing-key.asc
  mv "$tmp/debian/upstream/signing-key.asc" "$tmp/php-signing-keys.asc"
  log "building $tag (PHP $v from source; ~20 min on 2 cores)"
  build_ctx php "$tag" "$tmp/php.tar.xz" "$tmp/php.tar.xz.asc" "$tmp/php-signing-keys.asc" -- \
    --build-arg "PHP_VERSION=$v" --build-arg "PHP_SHA256=$sha"
  rm -rf "$tmp"
}

# wordpress:php8.2-fpm from docker-library/wordpress's own Dockerfile; WordPress and imagick
# from Debian's source packages. Also tagged with the WordPress version it carries
# (wordpress:<version>-php8.2-fpm), the tag the project's Dockerfile pins.
build_wordpress() {
  local v="${BASES_WP_DEB%%+*}"   # 6.1.9
  local tag=wordpress:php8.2-fpm
  have "$tag" && { log "$tag present"; docker tag "$tag" "wordpress:$v-php8.2-fpm"; return 0; }
  build_php
  local dsc="$WITSPER_BASES_SRC/wordpress_${BASES_WP_DEB}.dsc"
  [ -f "$dsc" ] || aptsrc "wordpress=$BASES_WP_DEB"
  [ -f "$WITSPER_BASES_SRC/php-imagick_${BASES_IMAGICK_DEB}.dsc" ] || aptsrc "php-imagick=$BASES_IMAGICK_DEB"
  local orig="wordpress_${BASES_WP_DEB%%-*}.orig.tar.xz"
  local sha; sha="$(dsc_sha256 "$dsc" "$orig")"
  [ -n "$sha" ] || { log "no sha256 for $orig in $dsc"; return 1; }
  local im="php-imagick_${BASES_IMAGICK_DEB%%-*}.orig.tar.gz"
  local imsha; imsha="$(dsc_sha256 "$WITSPER_BASES_SRC/php-imagick_${BASES_IMAGICK_DEB}.dsc" "$im")"
  echo "$imsha  $WITSPER_BASES_SRC/$im" | sha256sum -c - >&2
  local tmp; tmp="$(mktemp -d)"
  cp "$WITSPER_BASES_SRC/$orig" "$tmp/wordpress.tar.xz"
  cp "$WITSPER_BASES_SRC/$im" "$tmp/imagick.tgz"
  log "building $tag (WordPress $v)"
  build_ctx wordpress "$tag" "$tmp/wordpress.tar.xz" "$tmp/imagick.tgz" -- \
    --build-arg "WORDPRESS_VERSION=$v" --build-arg "WORDPRESS_SHA256=$sha"
  docker tag "$tag" "wordpress:$v-php8.2-fpm"
  rm -rf "$tmp"
}

# mariadb:11.4 and nginx:1.27: Debian's packages behind the official entrypoints.
build_mariadb() {
  local tag=mariadb:11.4
  have "$tag" && { log "$tag present"; return 0; }
  build_debian
  log "building $tag (Debian's MariaDB)"
  build_ctx mariadb "$tag"
}
build_nginx() {
  local tag=nginx:1.27
  have "$tag" && { log "$tag present"; return 0; }
  build_debian
  log "building $tag (Debian's nginx)"
  build_ctx nginx "$tag"
}

main() {
  local what=()
  for a in "$@"; do
    case "$a" in --force) force=1 ;; *) what+=("$a") ;; esac
  done
  [ ${#what[@]} -gt 0 ] || what=(debian php wordpress mariadb nginx)
  "$here/../engine.sh" start
  local w t0
  for w in "${what[@]}"; do
    t0=$SECONDS
    "build_$w"
    log "$w: $((SECONDS - t0)) s"
  done
}
main "$@"
