#!/usr/bin/env bash
# Checks the built shared library's surface:
#  - nm -D exports exactly the four API functions (all witsper_*);
#  - soname libwitsper.so.1 and the build/ symlinks;
#  - imports only memory/string functions from libc: no abort, exit,
#    stdio, threads (a worker must never be killed or printed from);
#  - no TLS segment, and no writable data or bss in our own objects
#    (fork safety: no mutable globals).
# Prints "N passed, N failed".
set -Eeuo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL symbols: $*" >&2; }

exports=$(nm -D --defined-only "$B/libwitsper.so" | awk '{print $3}' | sort | tr '\n' ' ')
want="witsper_abi witsper_buffer_free witsper_parse_blocks witsper_version "
if [[ $exports == "$want" ]]; then ok; else bad "exports are '$exports', want '$want'"; fi
if nm -D --defined-only "$B/libwitsper.so" | awk '{print $3}' | grep -qv '^witsper_'; then
  bad "a non-witsper_ symbol is exported"
else ok; fi

soname=$(readelf -dW "$B/libwitsper.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [[ $soname == libwitsper.so.1 ]]; then ok; else bad "soname is '$soname'"; fi
if [[ -L $B/libwitsper.so && -L $B/libwitsper.so.1 && -e $B/libwitsper.so.1 &&
      $(readlink "$B/libwitsper.so") == libwitsper.so.1 ]]; then ok
else bad "build/libwitsper.so -> libwitsper.so.1 -> real file links missing"; fi

allowed='^(malloc|realloc|free|memchr|memcmp|bcmp|memset|memcpy|memmove|__stack_chk_fail|__cxa_finalize|__gmon_start__|_ITM_deregisterTMCloneTable|_ITM_registerTMCloneTable|__memcpy_chk|__memset_chk|__memmove_chk)$'
imports=$(nm -D --undefined-only "$B/libwitsper.so" | awk '{print $NF}' | sed 's/@.*//')
extra=$(grep -vE "$allowed" <<<"$imports" || true)
if [[ -z $extra ]]; then ok; else bad "unexpected imports: ${extra//$'\n'/ }"; fi
for f in abort exit _exit printf fprintf puts fwrite pthread_create; do
  if grep -qx "$f" <<<"$imports"; then bad "imports $f"; else ok; fi
done

if readelf -lW "$B/libwitsper.so" | grep -q ' TLS '; then bad "has a TLS segment"; else ok; fi
data=$(nm "$B"/obj/*.o | grep -E ' [bBdDcCgGsS] ' || true)
if [[ -z $data ]]; then ok; else bad "mutable data in our objects: $data"; fi

echo "symbols: $pass passed, $fail failed"
(( fail == 0 ))
