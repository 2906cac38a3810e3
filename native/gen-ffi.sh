#!/usr/bin/env bash
# Generates the declarations PHP's FFI reads from a hand-written C header (by default
# native/include/witsper.h; the media library's header with options). FFI::cdef(),
# FFI::load() and ffi.preload run no preprocessor: only "#define FFI_SCOPE" and
# "#define FFI_LIB" lines are understood, so the copy PHP reads must be the preprocessed
# declarations.
#
#   gen-ffi.sh [OPTIONS] h   SCOPE LIB   the FFI header (installed witsper_ffi.h, ffi.preload)
#   gen-ffi.sh [OPTIONS] php             a plugin's declarations file (returns the
#                                        declarations for FFI::cdef)
# OPTIONS (defaults: libwitsper's):
#   --header FILE   the header to read (relative to the caller's directory; env WITSPER_H
#                   too, for header-check.sh's mutation test)
#   --name NAME     the library's name in the note (libwitsper)
#   --source PATH   the header's path in the repository, for the note
#   --make CMD      the command that writes the committed copies
#   --check CMD     the check that fails when a copy is stale
#   --user TEXT     who reads the php copy, one sentence (the docblock's second paragraph;
#                   \n starts a new line)
# Writes to stdout. The header is read with WITSPER_FFI_HEADER defined (it skips its
# #includes and leaves its export macro empty).
#
# The output is normalised (one declaration per line outside braces, 4-space
# indent inside, single spaces), so gcc and clang produce the same bytes.
set -Eeuo pipefail
CC=${CC:-cc}
name=libwitsper
header=${WITSPER_H:-}
source=native/include/witsper.h
make_cmd='make -C native ffi-headers'
check_cmd='make -C native check'
user='Witsper_FFI passes it to FFI::cdef()
 * (ffi.enable=true, CLI). In preload mode php-fpm reads the witsper_ffi.h header instead.'
while [[ ${1:-} == --* ]]; do
  [[ $# -ge 2 ]] || { echo "$0: $1 needs a value" >&2; exit 2; }
  case $1 in
    --header) header=$2 ;;
    --name) name=$2 ;;
    --source) source=$2 ;;
    --make) make_cmd=$2 ;;
    --check) check_cmd=$2 ;;
    --user) user=$2 ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
user=${user//\\n/$'\n *'}
# Paths given by the caller are relative to its directory; the default to this script's.
if [[ -n $header ]]; then header=$(realpath -- "$header")
else header=$(dirname "$0")/include/witsper.h; fi
base=$(basename "$header")

decls() {
  # WITSPER_FFI_HEADER: the header skips its #include and leaves its export
  # macro empty; -P drops linemarkers; comments and macro definitions vanish.
  "$CC" -E -P -std=c11 -x c -DWITSPER_FFI_HEADER "$header" |
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

note="$name declarations for PHP FFI, GENERATED from $source
 * by native/gen-ffi.sh ($make_cmd): do not edit; edit $base.
 * $base is the manual. No macros, no includes: PHP's FFI runs no preprocessor.
 * $check_cmd fails when this copy is not current."

case ${1:-} in
  h)
    [[ $# == 3 ]] || { echo "usage: $0 [OPTIONS] h SCOPE LIB" >&2; exit 2; }
    printf '#define FFI_SCOPE "%s"\n#define FFI_LIB "%s"\n\n' "$2" "$3"
    printf '/* %s */\n\n' "$note"
    decls | sed '$ { /^$/d }' ;;
  php)
    printf '<?php\n/**\n * %s\n *\n * Returns the declarations as a string: %s\n' "$note" "$user"
    printf ' *\n * @package witsper-ffi\n */\n\nreturn <<<'"'"'C'"'"'\n'
    decls | sed '$ { /^$/d }'
    printf 'C;\n' ;;
  *) echo "usage: $0 [OPTIONS] h SCOPE LIB | php" >&2; exit 2 ;;
esac
