#!/bin/sh
# The one place that turns an FFI mode into settings, for the native run (stack/up.sh), the
# Docker entrypoint, the tests (tests/lib/php-mode.sh) and the benchmarks (bench/page-cost.sh).
#
#   ffi-mode.sh settings MODE HEADER PRELOAD_PHP
#       prints the two values php.ini expands, as KEY=VALUE lines (paths without spaces):
#         WITSPER_FFI_PRELOAD      ffi.preload: HEADER in mode preload, else empty
#         WITSPER_OPCACHE_PRELOAD  opcache.preload: PRELOAD_PHP (the plugin's preload.php)
#                                  in mode preload, else empty
#       MODE is true or preload; anything else is an error (exit 2).
#   ffi-mode.sh header LIB < witsper_ffi.h > rendered.h
#       the generated FFI header with FFI_LIB set to LIB: native runs name their library by
#       absolute path (the Docker image keeps the soname the header has and renders nothing).
# POSIX sh: it also runs in the Docker image's entrypoint.
set -eu

usage() { echo "usage: $0 settings MODE HEADER PRELOAD_PHP | header LIB" >&2; exit 2; }

case "${1:-}" in
  settings)
    [ $# -eq 4 ] || usage
    case "$2" in
      true)    printf 'WITSPER_FFI_PRELOAD=\nWITSPER_OPCACHE_PRELOAD=\n' ;;
      preload) printf 'WITSPER_FFI_PRELOAD=%s\nWITSPER_OPCACHE_PRELOAD=%s\n' "$3" "$4" ;;
      *) echo "$0: WITSPER_FFI_MODE must be 'true' or 'preload', not '$2'" >&2; exit 2 ;;
    esac ;;
  header)
    [ $# -eq 2 ] || usage
    # Exactly one FFI_LIB line must be replaced, or ffi.preload would load another library.
    out=$(sed -E "s|^#define[[:space:]]+FFI_LIB[[:space:]].*$|#define FFI_LIB \"$2\"|")
    printf '%s\n' "$out" | grep -qx "#define FFI_LIB \"$2\"" ||
      { echo "$0: no '#define FFI_LIB' line in the header" >&2; exit 1; }
    printf '%s\n' "$out" ;;
  *) usage ;;
esac
