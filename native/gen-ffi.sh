#!/usr/bin/env bash
# Generates the declarations PHP's FFI reads from include/witsper.h, the one
# hand-written header. FFI::cdef(), FFI::load() and ffi.preload run no
# preprocessor: only "#define FFI_SCOPE" and "#define FFI_LIB" lines are
# understood, so the copy PHP reads must be the preprocessed declarations.
#
#   gen-ffi.sh h   SCOPE LIB   the FFI header (installed witsper_ffi.h, ffi.preload)
#   gen-ffi.sh php             the plugin's includes/witsper-ffi-decls.php
#                              (returns the declarations for FFI::cdef)
# Writes to stdout. `make -C native ffi-headers` writes the committed copies;
# tests/header-check.sh (make -C native check) fails when one is not current.
#
# The output is normalised (one declaration per line outside braces, 4-space
# indent inside, single spaces), so gcc and clang produce the same bytes.
set -Eeuo pipefail
cd "$(dirname "$0")"
CC=${CC:-cc}
# WITSPER_H: another header to generate from (header-check.sh's mutation test).
WITSPER_H=${WITSPER_H:-include/witsper.h}

decls() {
  # WITSPER_FFI_HEADER: witsper.h skips its #include and leaves WITSPER_API
  # empty; -P drops linemarkers; comments and macro definitions vanish.
  "$CC" -E -P -std=c11 -x c -DWITSPER_FFI_HEADER "$WITSPER_H" |
    awk '
      { gsub(/[ \t\r\f\v]+/, " "); sub(/^ /, ""); sub(/ $/, "") }
      $0 == "" { next }
      {
        line = (pending != "" ? pending " " : "") $0
        opens = gsub(/\(/, "(", line); closes = gsub(/\)/, ")", line)
        if (opens > closes) { pending = line; next }   # a declaration goes on
        pending = ""
        sub(/\( /, "(", line); sub(/ \)/, ")", line)
        if (line ~ /^}/) depth--
        print (depth > 0 ? "    " : "") line
        if (line ~ /{$/) depth++
        if (depth == 0 && line ~ /;$/) print ""
      }
      END { if (pending != "" || depth != 0) exit 1 }'
}

note='libwitsper declarations for PHP FFI, GENERATED from native/include/witsper.h
 * by native/gen-ffi.sh (make -C native ffi-headers): do not edit; edit witsper.h.
 * witsper.h is the manual. No macros, no includes: PHP'"'"'s FFI runs no preprocessor.
 * make -C native check fails when this copy is not current.'

case ${1:-} in
  h)
    [[ $# == 3 ]] || { echo "usage: $0 h SCOPE LIB" >&2; exit 2; }
    printf '#define FFI_SCOPE "%s"\n#define FFI_LIB "%s"\n\n' "$2" "$3"
    printf '/* %s */\n\n' "$note"
    decls | sed '$ { /^$/d }' ;;
  php)
    printf '<?php\n/**\n * %s\n *\n * Returns the declarations as a string: Witsper_FFI passes it to FFI::cdef()\n' "$note"
    printf ' * (ffi.enable=true, CLI). In preload mode php-fpm reads the witsper_ffi.h header instead.\n *\n'
    printf ' * @package witsper-ffi\n */\n\nreturn <<<'"'"'C'"'"'\n'
    decls | sed '$ { /^$/d }'
    printf 'C;\n' ;;
  *) echo "usage: $0 h SCOPE LIB | php" >&2; exit 2 ;;
esac
