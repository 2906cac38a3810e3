#!/usr/bin/env bash
# `make install` into a temporary DESTDIR, then build and run a C program
# against the installed copy with pkg-config, the way a C user would.
# Prints "install: N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL install: $*" >&2; }

prefix=/opt/witsper-test
if make -s install PREFIX="$prefix" DESTDIR="$tmp" >/dev/null; then ok; else bad "make install"; fi
root=$tmp$prefix
for f in lib/libwitsper.so.1.0.0 lib/libwitsper.so.1 lib/libwitsper.so \
         include/witsper.h include/witsper_ffi.h lib/pkgconfig/witsper.pc; do
  if [[ -e $root/$f ]]; then ok; else bad "missing $f"; fi
done
if [[ $(readlink "$root/lib/libwitsper.so.1") == libwitsper.so.1.0.0 ]]; then ok
else bad "soname link"; fi
pc=$(PKG_CONFIG_PATH=$root/lib/pkgconfig pkg-config --cflags --libs witsper)
if [[ $pc == *"-I$prefix/include"* && $pc == *"-L$prefix/lib"* && $pc == *-lwitsper* ]]; then ok
else bad "pkg-config says '$pc'"; fi
cat > "$tmp/user.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <witsper.h>
int main(void)
{
    const char *doc = "<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->";
    witsper_buffer b = {NULL, 0};
    witsper_error e = {0, NULL, 0};
    int rc = witsper_parse_blocks(doc, strlen(doc), &b, &e);
    printf("%s %d %d %zu\n", witsper_version(), witsper_abi(), rc, b.len);
    witsper_buffer_free(&b);
    return rc;
}
C
# pkg-config flags point into DESTDIR-less paths: map them onto the stage.
if "$CC" -std=c11 -Wall -Werror -I"$root/include" "$tmp/user.c" -L"$root/lib" -lwitsper \
     -o "$tmp/user" && out=$(LD_LIBRARY_PATH=$root/lib "$tmp/user"); then
  # 2 + 3 name words + paragraph record (1 + 2) = 8 words = 32 bytes
  if [[ $out == "1.0.0 1 0 32" ]]; then ok; else bad "program printed '$out'"; fi
else bad "could not build/run a program against the installed library"; fi
echo "install: $pass passed, $fail failed"
(( fail == 0 ))
