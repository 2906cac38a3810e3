<?php
/**
 * opcache.preload script of witsper-ffi (ffi.enable=preload mode).
 *
 * With ffi.enable=preload, PHP allows FFI::scope(), FFI::new(), FFI::string()
 * and FFI::addr() only in preloaded code. Requiring the loader here makes
 * Witsper_FFI preloaded code, so it (and only it) may use the "witsper" scope
 * that php-fpm's master loaded from ffi.preload (the witsper_ffi.h header with
 * FFI_LIB set to the library's path).
 *
 * Rules for this file:
 *  - Never FFI::load() here: it throws when php-fpm runs as root with
 *    opcache.preload_user, and ffi.preload already loads the library.
 *  - Declare, do not run: no output, no FFI call, nothing that needs WordPress
 *    (WordPress is not loaded during preloading), so it is harmless when FFI is
 *    absent or disabled (the class then reports 'ffi-missing'/'ffi-disabled').
 *  - Only the loader is preloaded. Witsper_Block_Parser extends WP_Block_Parser,
 *    and preloading WordPress's class file would make wp-settings.php's plain
 *    `require` of it redeclare the class.
 *
 * php.ini (php-fpm), paths adapted:
 *   ffi.enable = preload
 *   ffi.preload = /path/to/witsper_ffi.h
 *   opcache.preload = /path/to/wp-content/plugins/witsper-ffi/preload.php
 *   opcache.preload_user = www-data   ; when the master runs as root
 *
 * @package witsper-ffi
 */

if ( ! class_exists( 'Witsper_FFI', false ) ) {
	require_once __DIR__ . '/includes/class-witsper-ffi.php';
}
// Compiled only: with ffi.enable=preload, FFI::cdef is allowed from preloaded code, so
// Witsper_Media can load libwitsper-media lazily in a worker at its first image job. The
// master runs none of it and never maps the media library (not in ffi.preload either).
if ( ! class_exists( 'Witsper_Media', false ) ) {
	require_once __DIR__ . '/includes/class-witsper-media.php';
}
