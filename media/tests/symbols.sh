#!/usr/bin/env bash
# The built library's surface (as native/tests/symbols.sh for libwitsper):
#  - exports exactly the wm_* functions the header declares;
#  - soname libwitsper-media.so.1 and the build/ symlinks;
#  - linked with -z nodelete and -z now (never unloaded; no lazy binding);
#  - imports no abort, exit or stdio printing: a php-fpm worker is never killed or
#    printed to from this library (libvips' own code is libvips').
# Prints "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
LIB=$B/libwitsper-media.so
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL media symbols: $*" >&2; }

exports=$(nm -D --defined-only "$LIB" | awk '{print $3}' | sort | tr '\n' ' ')
want=$(sed -n 's/^WM_API [^(]*[ *]\(wm_[a-z_]*\)(.*/\1/p' include/witsper_media.h | sort | tr '\n' ' ')
if [[ -n $want && $exports == "$want" ]]; then ok
else bad "exports are '$exports', want '$want'"; fi

soname=$(readelf -dW "$LIB" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [[ $soname == libwitsper-media.so.1 ]]; then ok; else bad "soname is '$soname'"; fi
if [[ -L $LIB && -L $B/libwitsper-media.so.1 && -e $B/libwitsper-media.so.1 &&
      $(readlink "$LIB") == libwitsper-media.so.1 ]]; then ok
else bad "build/libwitsper-media.so -> .so.1 -> real file links missing"; fi

flags=$(readelf -dW "$LIB" | grep -E 'FLAGS' || true)
if grep -q NODELETE <<<"$flags"; then ok; else bad "not linked with -z nodelete"; fi
if grep -qE 'BIND_NOW|NOW' <<<"$flags"; then ok; else bad "not linked with -z now"; fi
if readelf -lW "$LIB" | grep -q GNU_RELRO; then ok; else bad "no RELRO segment"; fi
if readelf -dW "$LIB" | grep -q 'NEEDED.*libvips\.so\.42'; then ok
else bad "does not link libvips.so.42"; fi

imports=$(nm -D --undefined-only "$LIB" | awk '{print $NF}' | sed 's/@.*//')
for f in abort exit _exit _Exit quick_exit printf fprintf vprintf vfprintf puts fputs fwrite \
         perror g_print g_printerr vips_shutdown; do
  if grep -qx "$f" <<<"$imports"; then bad "imports $f"; else ok; fi
done

echo "media symbols: $pass passed, $fail failed"
(( fail == 0 ))
