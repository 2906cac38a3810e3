#!/usr/bin/env bash
# The unit tests built with ASan+UBSan (the library's sources compiled into the test
# program; libvips itself is Debian's, not instrumented). Leak detection is off: libvips
# and GLib keep their type registry, thread pool and caches until exit by design.
# Usage: tests/run-asan.sh CORPUS. Prints the unit tests' "N passed, N failed" line.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
make -s --no-print-directory build/asan/unit
ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:halt_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  build/asan/unit "$@"
