#!/usr/bin/env bash
# include/witsper.h is the only hand-written declaration of the API; the
# copies PHP's FFI reads are generated from it by gen-ffi.sh and committed
# (include/witsper_ffi.h, plugin/witsper-ffi/includes/witsper-ffi-decls.php).
# Proves:
#  1. each committed copy is current: byte-equal to what gen-ffi.sh makes
#     from witsper.h now (else: run `make -C native ffi-headers`, commit);
#  2. the FFI header has no preprocessor lines but the two FFI defines;
#  3. the declarations of witsper.h after the preprocessor (macros
#     expanded, comments gone) and those of witsper_ffi.h are the same
#     token stream (the generator loses and adds nothing);
#  4. the FFI header compiles as C11 on its own, and together with
#     witsper.h (the compiler checks every function redeclaration);
#  5. real PHP FFI uses both copies with the built library: FFI::cdef with
#     the plugin's declarations (through Witsper_FFI), FFI::load of the header;
#  6. the check catches drift: witsper.h changed in two ways (a parameter
#     type, an enumerator value) gives copies that are no longer current.
# Prints "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
LIB=${LIB:-build/libwitsper.so.1}
PLUGIN_DECLS=../plugin/witsper-ffi/includes/witsper-ffi-decls.php
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL header-check: $*" >&2; }

# Tokens of the C header's own declarations: keep only preprocessed lines
# that come from witsper.h (linemarkers say which file a line is from).
c_tokens() {
  printf '#include "witsper.h"\n' > "$tmp/c.c"
  "$CC" -E -std=c11 -Iinclude "$tmp/c.c" |
    awk '/^# [0-9]+ "/ { keep = ($3 ~ /witsper\.h"$/); next } keep' |
    tokens
}
# Tokens of an FFI header: drop the FFI_* defines, strip comments.
ffi_tokens() {
  grep -v '^#define FFI_' "$1" > "$tmp/f.h"
  "$CC" -E -P -std=c11 -x c "$tmp/f.h" | tokens
}
# One C token per line (identifiers, numbers, strings, punctuators).
tokens() {
  grep -oE '[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9A-Fa-f]+[uUlL]*|[0-9]+[uUlL]*|"[^"]*"|[][(){};,=*<>|&+-]'
}
# The generated pair for header $1 into directory $2 (the Makefile's rules).
generate() {
  mkdir -p "$2"
  WITSPER_H=$1 CC=$CC ./gen-ffi.sh h witsper libwitsper.so.1 > "$2/witsper_ffi.h" &&
    WITSPER_H=$1 CC=$CC ./gen-ffi.sh php > "$2/witsper-ffi-decls.php"
}
# Whether both committed copies differ from the pair in directory $1.
both_stale() {
  ! cmp -s include/witsper_ffi.h "$1/witsper_ffi.h" &&
    ! cmp -s "$PLUGIN_DECLS" "$1/witsper-ffi-decls.php"
}

# 1
if generate "$PWD/include/witsper.h" "$tmp/now"; then
  for pair in "include/witsper_ffi.h witsper_ffi.h" "$PLUGIN_DECLS witsper-ffi-decls.php"; do
    read -r committed generated <<<"$pair"
    if cmp -s "$committed" "$tmp/now/$generated"; then ok
    else
      bad "$committed is not current: run 'make -C native ffi-headers' and commit it"
      diff -u "$committed" "$tmp/now/$generated" >&2 | head -30 || true
    fi
  done
else bad "gen-ffi.sh failed"; bad "gen-ffi.sh failed"; fi

# 2
if grep -n '^[[:space:]]*#' include/witsper_ffi.h |
     grep -vE '^[0-9]+:#define FFI_(SCOPE "witsper"|LIB "libwitsper\.so\.1")$' |
     grep -q .; then
  bad "witsper_ffi.h has preprocessor lines other than FFI_SCOPE/FFI_LIB"
else ok; fi
if [[ $(grep -c '^#define FFI_' include/witsper_ffi.h) == 2 ]]; then ok
else bad "witsper_ffi.h must define FFI_SCOPE and FFI_LIB"; fi

# 3
c_tokens > "$tmp/c.tok"
ffi_tokens include/witsper_ffi.h > "$tmp/ffi.tok"
if [[ -s $tmp/c.tok ]] && grep -qx witsper_parse_blocks "$tmp/c.tok" &&
   diff -u "$tmp/c.tok" "$tmp/ffi.tok" > "$tmp/diff"; then ok
else bad "declarations differ:"; head -40 "$tmp/diff" >&2 || true; fi

# 4
{ echo '#include <stddef.h>'; grep -v '^#define FFI_' include/witsper_ffi.h; } \
  > "$tmp/alone.c"
if "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only "$tmp/alone.c"
then ok; else bad "witsper_ffi.h does not compile on its own"; fi
# Function prototypes of the FFI header after witsper.h: a mismatch is a
# "conflicting types" error.
{ echo '#include "witsper.h"'
  grep -v '^#define FFI_' include/witsper_ffi.h |
    awk '/^(typedef |enum |struct )/ { skip = 1 } skip { if (/;/ && /^}/) skip = 0; next } { print }'
} > "$tmp/both.c"
if grep -q 'witsper_parse_blocks' "$tmp/both.c" &&
   "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -Iinclude "$tmp/both.c"
then ok; else bad "FFI prototypes conflict with witsper.h"; fi

# 5
# shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's, not the shell's
if [[ -e $LIB ]] && php -d ffi.enable=1 -r '
  require $argv[1];
  $f = FFI::cdef(Witsper_FFI::decls(), $argv[2]);
  exit($f->witsper_abi() === $f->WITSPER_ABI && $f->witsper_version() === "1.0.0"
       && $f->WITSPER_E_UNSUPPORTED === 4 ? 0 : 1);' \
     ../plugin/witsper-ffi/includes/class-witsper-ffi.php "$LIB"
then ok; else bad "PHP FFI::cdef cannot use Witsper_FFI::decls() with $LIB"; fi
# The ffi.preload form, FFI_LIB rendered to the library's path as the stack does.
sed -E "s|^#define FFI_LIB .*|#define FFI_LIB \"$PWD/$LIB\"|" include/witsper_ffi.h > "$tmp/load.h"
# shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's, not the shell's
if [[ -e $LIB ]] && php -d ffi.enable=1 -r '
  $f = FFI::load($argv[1]);
  exit($f !== null && $f->witsper_abi() === $f->WITSPER_ABI
       && $f->WITSPER_PLAN_FORMAT === 1 ? 0 : 1);' "$tmp/load.h"
then ok; else bad "PHP FFI::load cannot use witsper_ffi.h with $LIB"; fi

# 6
sed 's/size_t len,/unsigned int len,/' include/witsper.h > "$tmp/mut1.h"
sed 's/WITSPER_E_UNSUPPORTED = 4/WITSPER_E_UNSUPPORTED = 5/' include/witsper.h > "$tmp/mut2.h"
for m in mut1 mut2; do
  if cmp -s include/witsper.h "$tmp/$m.h"; then bad "mutation $m changed nothing"; continue; fi
  if generate "$tmp/$m.h" "$tmp/$m" && both_stale "$tmp/$m"; then ok
  else bad "mutation $m of witsper.h not detected"; fi
done

echo "header-check: $pass passed, $fail failed"
(( fail == 0 ))
