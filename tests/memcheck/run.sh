#!/usr/bin/env bash
# test-memcheck: the shared corpus (plus an edge-case set) parsed by
# Witsper_Block_Parser through the real libwitsper and real PHP FFI
# (ffi.enable=1, PHP CLI) under valgrind memcheck. A run fails on any invalid
# read/write/free anywhere, and on uninitialised values or definitely/indirectly
# lost blocks whose stack contains libwitsper (tests/memcheck/analyze.php), or
# when the parse result differs from WP_Block_Parser's.
# Also here, because they are the bridge's cheap self-checks:
#  - canary: a script that leaks a plan on purpose must be caught (proves the
#    leak detection works, so a pass means something);
#  - php-mode: tests/lib/php-mode.sh --verify true|preload|off.
# Budget: about a minute. Ends with "N passed, N failed".
set -Eeuo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

lib=${WITSPER_LIB:-$root/native/build/libwitsper.so.1}
corpus=${MEMCHECK_CORPUS:-${WITSPER_CORPUS:-$root/tests/corpus/blocks}}
work=$(mktemp -d /tmp/witsper-memcheck.XXXXXX)
trap 'rm -rf "$work"' EXIT

# shellcheck source=tests/lib/harness.sh
. "$root/tests/lib/harness.sh"
# ko WHAT [DETAILS]: a failure, with the evidence indented below it.
# shellcheck disable=SC2001  # sed prefixes every line; ${var//} cannot anchor at each line start
ko() { fail "$1"; [[ -z ${2:-} ]] || sed 's/^/     /' <<<"$2"; }

if [[ ! -f $lib ]]; then
  ko "library" "missing $lib (run make)"
  summary; exit 1
fi

# PHP under valgrind: the system allocator instead of Zend's pools (so each
# block is tracked), modules kept mapped for symbols, no PCRE JIT (its
# generated code has no symbols and trips "uninitialised" noise).
vg() { # name xml-file php-args...
  local name=$1 xml=$2; shift 2
  USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 WITSPER_LIB=$lib \
    timeout 90 valgrind --tool=memcheck --leak-check=full \
      --show-leak-kinds=definite,indirect --keep-debuginfo=yes --num-callers=40 \
      --xml=yes --xml-file="$xml" \
      php -n -d extension=ffi -d ffi.enable=1 -d pcre.jit=0 -d memory_limit=-1 \
      -d display_errors=stderr "$@" >"$work/$name.out" 2>&1
}

# 1. canary: the deliberate leak must be reported as ours.
if vg canary "$work/canary.xml" tests/memcheck/canary.php "$lib" \
   && grep -q '^leaked' "$work/canary.out"; then
  if report=$(php tests/memcheck/analyze.php "$work/canary.xml"); then
    ko "canary (a deliberate leak in libwitsper was not detected)"
  elif grep -q 'Leak_DefinitelyLost' <<<"$report"; then
    pass "canary (deliberate leak detected)"
  else
    ko "canary (analysis failed)" "$report"
  fi
else
  ko "canary (could not run)" "$(cat "$work/canary.out")"
fi

# 2. corpus files and the edge set under valgrind.
inputs=("$corpus"/* edge)
for input in "${inputs[@]}"; do
  name=$(basename "$input")
  xml=$work/$name.xml
  if ! vg "$name" "$xml" tests/memcheck/parse.php "$input"; then
    ko "valgrind $name" "$(tail -n 5 "$work/$name.out")"
    continue
  fi
  if ! grep -q '^OK ' "$work/$name.out"; then
    ko "valgrind $name" "$(cat "$work/$name.out")"
    continue
  fi
  if report=$(php tests/memcheck/analyze.php "$xml"); then
    pass "valgrind $name ($(grep '^OK' "$work/$name.out" | cut -d' ' -f2) parses, no error)"
  else
    ko "valgrind $name" "$report"
  fi
done

# 3. Memory guard: a document whose result cannot fit in memory_limit (nested
# unclosed blocks repeat the rest of the document per level) must be noticed
# from the plan, logged once, and left to WP_Block_Parser, which then fails
# exactly as WordPress without the plugin does (memory exhausted).
guard_log=$work/guard.log
set +e
# shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's, not the shell's
out=$(WITSPER_LIB=$lib timeout 60 php -n -d extension=ffi -d ffi.enable=1 -d memory_limit=64M \
  -d log_errors=1 -d error_log="$guard_log" -d display_errors=0 -r '
  require "/usr/share/wordpress/wp-includes/class-wp-block-parser.php";
  require $argv[1] . "/plugin/witsper-ffi/includes/class-witsper-block-parser.php";
  if (!Witsper_Block_Parser::is_native()) { echo "not native\n"; exit(3); }
  $doc = str_repeat("<!-- wp:group -->" . str_repeat("x", 20000), 300);
  (new Witsper_Block_Parser())->parse($doc);
  echo "parsed\n";' "$root" 2>&1)
rc=$?
set -e
if (( rc == 255 )) && grep -q 'witsper-ffi: parsed blocks need more than' "$guard_log" \
   && grep -q 'Allowed memory size' "$guard_log" \
   && (( $(grep -c 'witsper-ffi:' "$guard_log") == 1 )); then
  pass "memory-guard (logged once, WP_Block_Parser's own out-of-memory)"
else
  ko "memory-guard (exit $rc)" "$out$(cat "$guard_log" 2>/dev/null)"
fi

# 4. Each FFI mode of the CLI is really in effect.
for mode in true preload off; do
  if out=$(tests/lib/php-mode.sh --verify "$mode" 2>&1); then
    pass "php-mode $mode: $out"
  else
    ko "php-mode $mode" "$out"
  fi
done

summary
