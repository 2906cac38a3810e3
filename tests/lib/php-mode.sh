#!/usr/bin/env bash
# Prints the `php` CLI arguments that run a script in one FFI mode of the bridge:
#   php $(tests/lib/php-mode.sh preload) tests/diff/run.php
#
# Usage: tests/lib/php-mode.sh MODE            print the -d flags for MODE
#        tests/lib/php-mode.sh --verify MODE   also prove MODE is in effect
#                                              (exit 0 yes, 1 no, 2 usage)
# MODE:
#   true     ffi.enable=1: Witsper_FFI uses FFI::cdef (status mode 'true').
#   preload  ffi.enable=preload + ffi.preload=<rendered header> + opcache.preload=
#            plugin/witsper-ffi/preload.php (status mode 'preload', FFI::scope).
#            The header is native/include/witsper_ffi.h with FFI_LIB set to the
#            absolute path of native/build/libwitsper.so.1 (or $WITSPER_LIB),
#            rendered into var/tmp/php-mode/. Note: the CLI lets any code use FFI
#            even with ffi.enable=preload; that only preloaded code may use FFI
#            is enforced by php-fpm (checked by tests/security and tests/faults).
#   off      ffi.enable=0: the plugin must fall back to WP_Block_Parser
#            (status reason 'ffi-disabled').
# Output is one line of space-separated flags; paths never contain spaces
# here (the repository path is checked).
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
usage() { echo "Usage: $0 [--verify] true|preload|off" >&2; exit 2; }

verify=0
if [[ ${1:-} == --verify ]]; then verify=1; shift; fi
[[ $# -eq 1 ]] || usage
mode=$1
[[ $root != *[[:space:]]* ]] || { echo "$0: repository path contains spaces: $root" >&2; exit 2; }

case $mode in
  true)
    args=(-d ffi.enable=1) ;;
  off)
    args=(-d ffi.enable=0) ;;
  preload)
    lib=${WITSPER_LIB:-$root/native/build/libwitsper.so.1}
    header=$root/native/include/witsper_ffi.h
    [[ -f $header ]] || { echo "$0: missing $header (build native/ first)" >&2; exit 1; }
    [[ -f $lib ]] || { echo "$0: missing $lib (run make)" >&2; exit 1; }
    outdir=$root/var/tmp/php-mode
    mkdir -p "$outdir"
    rendered=$outdir/witsper_ffi.h
    # Render into a private file, then rename: concurrent callers never see
    # a half-written header.
    tmp=$(mktemp "$outdir/.witsper_ffi.h.XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    "$root/stack/ffi-mode.sh" header "$lib" <"$header" >"$tmp" || exit 1
    mv -f "$tmp" "$rendered"
    trap - EXIT
    # The same settings php-fpm gets from stack/up.sh and the Docker entrypoint.
    eval "$("$root/stack/ffi-mode.sh" settings preload "$rendered" "$root/plugin/witsper-ffi/preload.php")"
    args=(-d ffi.enable=preload -d opcache.enable=1 -d opcache.enable_cli=1
          -d "opcache.preload=$WITSPER_OPCACHE_PRELOAD"
          -d "ffi.preload=$WITSPER_FFI_PRELOAD")
    # PHP refuses opcache.preload as root unless it may drop to a user for
    # it (the same setting php-fpm needs when its master runs as root).
    if [[ $(id -u) == 0 ]]; then args+=(-d opcache.preload_user=www-data); fi ;;
  *) usage ;;
esac

if (( ! verify )); then
  echo "${args[*]}"
  exit 0
fi

# --verify: ask the bridge in a PHP started with these flags what it sees.
check=$(mktemp /tmp/witsper-php-mode.XXXXXX.php)
trap 'rm -f "$check"' EXIT
cat >"$check" <<'PHP'
<?php
// Proves the FFI mode is the one asked for, from inside PHP.
$want = $argv[1];
require '/usr/share/wordpress/wp-includes/class-wp-block-parser.php';
require $argv[2] . '/plugin/witsper-ffi/includes/class-witsper-block-parser.php';
$s    = Witsper_FFI::status();
$doc  = "a<!-- wp:p {\"x\":1} -->b<!-- wp:q /-->c<!-- /wp:p -->";
$same = serialize( ( new Witsper_Block_Parser() )->parse( $doc ) )
	=== serialize( ( new WP_Block_Parser() )->parse( $doc ) );
$errs = array();
if ( ! $same ) $errs[] = 'parse result differs from WP_Block_Parser';
if ( 'off' === $want ) {
	if ( $s['available'] || 'ffi-disabled' !== $s['reason'] ) $errs[] = 'expected reason ffi-disabled';
} else {
	if ( ! $s['available'] || $want !== $s['mode'] ) $errs[] = "expected mode $want, native";
	if ( ! Witsper_Block_Parser::is_native() ) $errs[] = 'is_native() is false';
}
if ( 'preload' === $want ) {
	$st = function_exists( 'opcache_get_status' ) ? opcache_get_status( false ) : false;
	$pre = $st['preload_statistics']['classes'] ?? array();
	if ( ! in_array( 'Witsper_FFI', $pre, true ) ) $errs[] = 'Witsper_FFI is not preloaded';
	if ( 'preload' !== ini_get( 'ffi.enable' ) ) $errs[] = 'ffi.enable is not preload';
}
printf( "%s: mode=%s available=%s reason=%s version=%s %s\n", $want, $s['mode'],
	var_export( $s['available'], true ), $s['reason'] ?? '-', $s['version'] ?? '-',
	$errs ? 'FAIL: ' . implode( '; ', $errs ) : 'OK' );
exit( $errs ? 1 : 0 );
PHP
# shellcheck disable=SC2068  # the flags are words by construction
php ${args[@]} "$check" "$mode" "$root"
