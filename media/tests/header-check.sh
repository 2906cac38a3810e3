#!/usr/bin/env bash
# include/witsper_media.h is the only hand-written declaration of the media API; the
# copy PHP's FFI reads (plugin/witsper-ffi/includes/witsper-media-decls.php) is generated
# from it by native/gen-ffi.sh and committed. Proves:
#  1. the committed copy is current (else: make -C media ffi-headers, commit);
#  2. its prototypes agree with witsper_media.h (the compiler checks redeclarations);
#  3. real PHP FFI::cdef reads it with the built library and calls it;
#  4. the check catches drift: a changed parameter type or enumerator gives a copy that
#     is no longer current.
# Prints "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
LIB=${LIB:-build/libwitsper-media.so.1}
DECLS=../plugin/witsper-ffi/includes/witsper-media-decls.php
# The declarations generated from header $1 by the Makefile's own rule (into $tmp/$2).
gen() {
  make -s --no-print-directory CC="$CC" MEDIA_H="$1" B="$tmp/$2" "$tmp/$2/gen/${DECLS##*/}" &&
    cat "$tmp/$2/gen/${DECLS##*/}"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL media header-check: $*" >&2; }

# 1
if gen include/witsper_media.h now > "$tmp/now.php" && cmp -s "$DECLS" "$tmp/now.php"; then ok
else
  bad "$DECLS is not current: run 'make -C media ffi-headers' and commit it"
  diff -u "$DECLS" "$tmp/now.php" >&2 | head -30 || true
fi

# 2: the declarations between <<<'C' and C; after the C header.
sed -n "/^return <<<'C'$/,/^C;$/p" "$DECLS" | sed '1d;$d' > "$tmp/decls.h"
{ echo '#include "witsper_media.h"'
  awk '/^(typedef |enum |struct )/ { skip = 1 } skip { if (/;/ && /^}/ || /^typedef struct [a-z_]+ [a-z_]+;$/) skip = 0; next } { print }' "$tmp/decls.h"
} > "$tmp/both.c"
if grep -q 'wm_make_sizes' "$tmp/both.c" &&
   "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -Iinclude "$tmp/both.c"
then ok; else bad "the PHP declarations' prototypes conflict with witsper_media.h"; fi

# 3
# shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's
if [[ -e $LIB ]] && php -d ffi.enable=1 -r '
  $f = FFI::cdef(require $argv[1], $argv[2]);
  $e = $f->new("wm_error");
  exit($f->wm_abi() === $f->WITSPER_MEDIA_ABI && $f->wm_version() === "0.1.0"
       && $f->WM_E_IO === 8 && $f->wm_init(null, FFI::addr($e)) === 0
       && $f->wm_init_pid() === getmypid() ? 0 : 1);' "$DECLS" "$LIB"
then ok; else bad "PHP FFI::cdef cannot use $DECLS with $LIB"; fi

# 4
sed 's/size_t path_len, int flags/unsigned int path_len, int flags/' include/witsper_media.h \
  > "$tmp/mut1.h"
sed 's/WM_E_IO = 8/WM_E_IO = 9/' include/witsper_media.h > "$tmp/mut2.h"
for m in mut1 mut2; do
  if cmp -s include/witsper_media.h "$tmp/$m.h"; then bad "mutation $m changed nothing"; continue; fi
  if gen "$tmp/$m.h" "$m" > "$tmp/$m.php" && ! cmp -s "$DECLS" "$tmp/$m.php"; then ok
  else bad "mutation $m of witsper_media.h not detected"; fi
done

echo "media header-check: $pass passed, $fail failed"
(( fail == 0 ))
