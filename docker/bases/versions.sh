# shellcheck shell=bash disable=SC2034  # sourced: docker/bases/build.sh reads every value
# What the stand-in base images are built from (one place; see docker/bases/README.md).
# The real wordpress:php8.2-fpm is Debian trixie; so are the stand-ins.
BASES_SUITE=trixie
# Debian's source packages: PHP 8.2 and WordPress 6.1.9 exist only in bookworm (trixie has
# PHP 8.4 and WordPress 6.8). Their orig tarballs are the upstream releases.
BASES_SRC_SUITE=bookworm
BASES_PHP_DEB=8.2.32-1~deb12u1
BASES_WP_DEB=6.1.9+dfsg1-0+deb12u1
BASES_IMAGICK_DEB=3.7.0-4
