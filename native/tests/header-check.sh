#!/usr/bin/env bash
# Proves include/witsper.h (C users) and include/witsper_ffi.h (PHP FFI)
# declare the same API:
#  1. the FFI header has no preprocessor lines but the two FFI defines;
#  2. the declarations of witsper.h after the preprocessor (macros
#     expanded, comments gone) and those of witsper_ffi.h are the same
#     token stream (types, members, enumerators, functions, parameters);
#  3. the FFI header compiles as C11 on its own, and together with
#     witsper.h (the compiler checks every function redeclaration);
#  4. real PHP FFI parses it and calls into the built library;
#  5. the comparison catches a divergence (a mutated copy must fail).
# Prints "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
LIB=${LIB:-build/libwitsper.so.1}
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

# 1
if grep -n '^[[:space:]]*#' include/witsper_ffi.h |
     grep -vE '^[0-9]+:#define FFI_(SCOPE "witsper"|LIB "libwitsper\.so\.1")$' |
     grep -q .; then
  bad "witsper_ffi.h has preprocessor lines other than FFI_SCOPE/FFI_LIB"
else ok; fi
if [[ $(grep -c '^#define FFI_' include/witsper_ffi.h) == 2 ]]; then ok
else bad "witsper_ffi.h must define FFI_SCOPE and FFI_LIB"; fi

# 2
c_tokens > "$tmp/c.tok"
ffi_tokens include/witsper_ffi.h > "$tmp/ffi.tok"
if [[ -s $tmp/c.tok ]] && grep -qx witsper_parse_blocks "$tmp/c.tok" &&
   diff -u "$tmp/c.tok" "$tmp/ffi.tok" > "$tmp/diff"; then ok
else bad "declarations differ:"; head -40 "$tmp/diff" >&2 || true; fi

# 3
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

# 4
# shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's, not the shell's
if [[ -e $LIB ]] && php -d ffi.enable=1 -r '
  $h = preg_replace("/^#define .*$/m", "", file_get_contents($argv[1]));
  $f = FFI::cdef($h, $argv[2]);
  exit($f->witsper_abi() === $f->WITSPER_ABI && $f->witsper_version() === "1.0.0"
       && $f->WITSPER_E_UNSUPPORTED === 4 ? 0 : 1);' include/witsper_ffi.h "$LIB"
then ok; else bad "PHP FFI cannot use witsper_ffi.h with $LIB"; fi

# 5
sed 's/size_t len,/unsigned int len,/' include/witsper_ffi.h > "$tmp/mut1.h"
sed 's/WITSPER_E_UNSUPPORTED = 4/WITSPER_E_UNSUPPORTED = 5/' include/witsper_ffi.h > "$tmp/mut2.h"
for m in mut1 mut2; do
  ffi_tokens "$tmp/$m.h" > "$tmp/$m.tok"
  if cmp -s "$tmp/c.tok" "$tmp/$m.tok"; then bad "mutation $m not detected"
  else ok; fi
done

echo "header-check: $pass passed, $fail failed"
(( fail == 0 ))
