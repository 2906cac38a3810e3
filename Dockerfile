# Witsper: WordPress on php-fpm 8.2 with FFI, libwitsper and the witsper-ffi plugin.
#   docker compose up -d --build          (see docker-compose.yml and README.md)
#
# Base: the official wordpress:fpm image, pinned to its PHP 8.2 variant (the plain
# `fpm` tag follows the newest PHP). It is Debian/glibc. Never the -alpine variants
# (or wordpress:cli): musl has a small default thread stack and different dlopen/TLS
# behaviour, and native code loaded through FFI is where that shows up as SIGSEGV.
#
# WordPress is pinned: the version in the base image's /usr/src/wordpress must be
# WITSPER_WP_VERSION, one the parser is verified against (tests/diff, the WP_Block_Parser
# versions in ../shared/reference), and the one the native stack runs (Debian 12: 6.1.9).
# The build fails on any other version instead of running an unverified parser.
# No `# syntax=` line: it would make BuildKit download a frontend image; nothing here needs
# more than the BuildKit built into Debian's docker.io (20.10).
ARG WITSPER_WP_VERSION=6.1.9
ARG WORDPRESS_IMAGE=wordpress:${WITSPER_WP_VERSION}-php8.2-fpm

# ---------------------------------------------------------------------------------------
# Builder: compiles the project's C code (libwitsper, libwitsper-media, fpm-probe) on the
# very same base, so the artifacts link against the glibc and libvips they will run with.
FROM ${WORDPRESS_IMAGE} AS builder
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends gcc make libc6-dev pkg-config libvips-dev; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY native/ native/
COPY media/ media/
COPY probe/ probe/
# Stale host build output must not leak in (and .dockerignore keeps it out anyway).
RUN set -eux; \
    rm -rf native/build media/build probe/build; \
    make -C native; \
    make -C media; \
    make -C probe; \
    # Installs libwitsper.so.1 (+ .so link), witsper.h, witsper_ffi.h, witsper.pc.
    make -C native install PREFIX=/usr/local DESTDIR=/out; \
    install -D -m 0755 probe/build/fpm-probe /out/usr/local/bin/fpm-probe; \
    # libwitsper-media (the image editor's library) and the Debian package that provides
    # the libvips it links (libvips42 on bookworm, libvips42t64 on trixie): the final stage
    # installs that runtime package only, not libvips-dev.
    cp -P media/build/libwitsper-media.so* /out/usr/local/lib/; \
    mkdir -p /out/usr/local/share/witsper; \
    # ldd prints /lib/... on merged-/usr systems where dpkg knows /usr/lib/...: search "*lib/...".
    ldd media/build/libwitsper-media.so | awk '/libvips\.so/ { so = $3; gsub("^/(usr/)?", "", so); print "*" so }' \
      | xargs -r dpkg-query --search | cut -d: -f1 | sort -u > /out/usr/local/share/witsper/media-packages; \
    test -s /out/usr/local/share/witsper/media-packages

# ---------------------------------------------------------------------------------------
FROM ${WORDPRESS_IMAGE}

# FFI is not compiled into the official PHP images. Build it against libffi-dev, then
# drop the -dev packages but keep the runtime libffi the extension links to (the same
# "apt-mark manual what ldd needs" dance as the official php Dockerfile).
RUN set -eux; \
    savedAptMark="$(apt-mark showmanual)"; \
    apt-get update; \
    apt-get install -y --no-install-recommends libffi-dev; \
    docker-php-ext-install ffi; \
    apt-mark auto '.*' > /dev/null; \
    [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark; \
    find /usr/local/lib/php/extensions -type f -name '*.so' -exec ldd '{}' ';' \
      | awk '/=>/ { so = $(NF-1); if (index(so, "/usr/local/") == 1) { next }; gsub("^/(usr/)?", "", so); printf "*%s\n", so }' \
      | sort -u | xargs -r dpkg-query --search | cut -d: -f1 | sort -u | xargs -r apt-mark manual; \
    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
    rm -rf /var/lib/apt/lists/*; \
    # A missing runtime library would only show at run time: fail the build instead.
    ! ldd "$(php -r 'echo ini_get("extension_dir");')/ffi.so" | grep 'not found'

# WP-CLI in this image, not the official wordpress:cli image: that one is Alpine/musl
# without FFI and cannot load an FFI plugin. Two sources, never none:
#  1. the official release from github.com, checked twice: its SHA-512 against the checksum
#     published with the release, and its GPG signature against the WP-CLI release key
#     (the key the official wordpress:cli image pins);
#  2. when github.com cannot be reached: docker/wp-cli/wp-cli.phar from the build context,
#     only if its SHA-256 is listed in docker/wp-cli/SHA256SUMS (see docker/wp-cli/README.md).
# Neither: the build fails.
ARG WP_CLI_VERSION=2.12.0
ARG WP_CLI_GPG_KEY=63AF7AA15067C05616FDDD88A3A2E8F226F0BC06
COPY docker/wp-cli/ /tmp/wp-cli/
RUN set -eux; \
    base="https://github.com/wp-cli/wp-cli/releases/download/v${WP_CLI_VERSION}/wp-cli-${WP_CLI_VERSION}.phar"; \
    if curl -fsS --connect-timeout 10 --max-time 120 -o /usr/local/bin/wp "$base"; then \
      savedAptMark="$(apt-mark showmanual)"; \
      apt-get update; \
      apt-get install -y --no-install-recommends gnupg dirmngr; \
      curl -fsSL -o /tmp/wp.sha512 "$base.sha512"; \
      curl -fsSL -o /tmp/wp.asc "$base.asc"; \
      echo "$(cut -d' ' -f1 /tmp/wp.sha512)  /usr/local/bin/wp" | sha512sum -c -; \
      export GNUPGHOME="$(mktemp -d)"; \
      gpg --batch --keyserver keyserver.ubuntu.com --recv-keys "$WP_CLI_GPG_KEY"; \
      gpg --batch --verify /tmp/wp.asc /usr/local/bin/wp; \
      gpgconf --kill all; \
      rm -rf "$GNUPGHOME" /tmp/wp.sha512 /tmp/wp.asc; \
      apt-mark auto '.*' > /dev/null; \
      [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark; \
      apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
      rm -rf /var/lib/apt/lists/*; \
    elif [ -f /tmp/wp-cli/wp-cli.phar ]; then \
      echo "WP-CLI: $base unreachable; using docker/wp-cli/wp-cli.phar from the build context"; \
      sum="$(sha256sum /tmp/wp-cli/wp-cli.phar | cut -d' ' -f1)"; \
      grep -q "^$sum  wp-cli.phar\$" /tmp/wp-cli/SHA256SUMS \
        || { echo "WP-CLI: docker/wp-cli/wp-cli.phar ($sum) is not in docker/wp-cli/SHA256SUMS" >&2; exit 1; }; \
      cp /tmp/wp-cli/wp-cli.phar /usr/local/bin/wp; \
    else \
      echo "WP-CLI: $base unreachable and no docker/wp-cli/wp-cli.phar in the build context (see docker/wp-cli/README.md)" >&2; \
      exit 1; \
    fi; \
    rm -rf /tmp/wp-cli; \
    chmod 0755 /usr/local/bin/wp; \
    wp --allow-root --version | grep -qx "WP-CLI ${WP_CLI_VERSION}"

# libwitsper in /usr/local/lib; ldconfig makes the soname libwitsper.so.1 resolvable,
# which is what witsper_ffi.h's FFI_LIB names (preload mode) and the plugin's last
# lookup step uses (mode true). fpm-probe is the health check and the verify client.
# libvips for libwitsper-media, with the HEIF decoders where the distribution packages them
# apart (trixie's libheif plugins; bookworm's libheif has them built in): phones upload HEIC.
COPY --from=builder /out/usr/local/ /usr/local/
RUN set -eux; \
    apt-get update; \
    heif=""; \
    for p in libheif-plugin-libde265 libheif-plugin-dav1d; do \
      if apt-cache show "$p" > /dev/null 2>&1; then heif="$heif $p"; fi; \
    done; \
    apt-get install -y --no-install-recommends $(cat /usr/local/share/witsper/media-packages) $heif; \
    rm -rf /var/lib/apt/lists/*; \
    ldconfig; \
    ldconfig -p | grep -q 'libwitsper.so.1 '; \
    ldconfig -p | grep -q 'libwitsper-media.so.1 '; \
    # A missing runtime library would only show at the first upload: fail the build instead.
    ! ldd /usr/local/lib/libwitsper-media.so.1 | grep 'not found'; \
    mkdir -p /usr/local/share/witsper; \
    cp /usr/local/include/witsper_ffi.h /usr/local/share/witsper/witsper_ffi.h

# The project's php.ini as the last conf.d drop-in ("zz-" sorts after docker-php-ext-*),
# and the pool file after docker.conf, www.conf and zz-docker.conf ("zz-w" > "zz-d").
COPY php.ini "$PHP_INI_DIR/conf.d/zz-witsper.ini"
COPY php-fpm.conf /usr/local/etc/php-fpm.d/zz-witsper.conf
# make verify's check scripts (run through FastCGI by fpm-probe; outside the web root).
COPY stack/checks/ /usr/local/share/witsper/checks/
# (No COPY --chmod: Compose 1.29's legacy builder rejects it; the mode is in git.)
COPY stack/docker-entrypoint.sh /usr/local/bin/witsper-entrypoint
# FFI mode -> settings: the same script the native run and the tests use.
COPY stack/ffi-mode.sh /usr/local/bin/witsper-ffi-mode
# The wp-config.php hardening shared with the native stack; docker-compose.yml's
# WORDPRESS_CONFIG_EXTRA require()s it.
COPY stack/wp-config-hardening.php /usr/local/share/witsper/wp-config-hardening.php

# The plugin goes into the image's WordPress source; the official entrypoint copies
# /usr/src/wordpress into the (empty) /var/www/html volume on first start. Preload mode
# preloads the loader from here too: immutable, and always matching this image's library.
COPY --chown=www-data:www-data plugin/witsper-ffi/ /usr/src/wordpress/wp-content/plugins/witsper-ffi/
# Must-use plugin of the stack: keep the :port of sites created in a subdirectory network
# served on a non-standard port. (The plugin itself is activated with WP-CLI, as natively.)
COPY --chown=www-data:www-data stack/mu-plugins/witsper-network-port.php /usr/src/wordpress/wp-content/mu-plugins/

# What php.ini and php-fpm.conf expand (${...}); see the comments in those files.
# WITSPER_FFI_MODE (true | preload) is the one to set; the entrypoint derives the
# two preload paths from it.
ENV WITSPER_FFI_MODE=true \
    WITSPER_FFI_PRELOAD="" \
    WITSPER_OPCACHE_PRELOAD="" \
    WITSPER_FPM_ERROR_LOG=/proc/self/fd/2 \
    WITSPER_FPM_LISTEN=9000 \
    WITSPER_FPM_STATUS_LISTEN=127.0.0.1:9001 \
    WITSPER_FPM_MAX_REQUESTS=1000 \
    WITSPER_FPM_MAX_SPARE_SERVERS=6 \
    WITSPER_FPM_SLOWLOG=/proc/self/fd/2 \
    WITSPER_LIB="" \
    WITSPER_WP_ROOT=/var/www/html

# The pinned WordPress (see WITSPER_WP_VERSION at the top).
ARG WITSPER_WP_VERSION
RUN set -eu; \
    v="$(php -r 'include "/usr/src/wordpress/wp-includes/version.php"; echo $wp_version;')"; \
    [ "$v" = "$WITSPER_WP_VERSION" ] \
      || { echo "base image has WordPress $v, this image pins $WITSPER_WP_VERSION" >&2; exit 1; }

# Smoke test at build time: the build fails unless php-fpm's configuration (both files,
# with the environment above) is valid, FFI is loaded, and the library answers through
# FFI in mode true. (Preload mode is checked at run time by `make verify COMPOSE=1`.)
RUN set -eux; \
    php-fpm -t; \
    php -m | grep -qx FFI; \
    php -d ffi.enable=true -r ' \
      $ffi = FFI::cdef("const char *witsper_version(void); int witsper_abi(void);", "libwitsper.so.1"); \
      if ($ffi->witsper_abi() !== 1) { fwrite(STDERR, "libwitsper ABI mismatch\n"); exit(1); } \
      /* A const char * result already arrives as a PHP string (FFI::string() on it is a TypeError). */ \
      $v = $ffi->witsper_version(); \
      if (!is_string($v) || $v === "") { fwrite(STDERR, "witsper_version() gave no string\n"); exit(1); } \
      echo "libwitsper ", $v, " via FFI: ok\n";'

# The pool, for nginx. The status listener (pm.status_listen, 127.0.0.1:9001) stays on
# the container's loopback: the health check and `make verify COMPOSE=1` run inside it.
EXPOSE 9000
# SIGQUIT is php-fpm's graceful stop: running requests finish (process_control_timeout).
STOPSIGNAL SIGQUIT
ENTRYPOINT ["witsper-entrypoint"]
CMD ["php-fpm"]
