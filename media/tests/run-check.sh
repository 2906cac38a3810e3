#!/usr/bin/env bash
# `make -C media check` (the test-media-native suite): the C unit tests on the media
# corpus, the same tests built with ASan+UBSan, the PHP declarations' staleness check,
# the library's symbols, and the C lint. Ends with "N passed, N failed, N skipped".
# WITSPER_MEDIA_CORPUS: the media corpus (default ../shared/corpus/media from the
# repository's root); a missing corpus is a counted failure in the unit tests.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/lib/harness.sh
. ../tests/lib/harness.sh
export CC=${CC:-cc}
corpus=$(cd .. && realpath -m -- "${WITSPER_MEDIA_CORPUS:-../shared/corpus/media}")

part unit build/unit "$corpus"
part asan tests/run-asan.sh "$corpus"
part headers tests/header-check.sh
part symbols tests/symbols.sh
lint() {
  if make -s lint >/dev/null 2>&1; then echo "media lint: 1 passed, 0 failed"
  else make -s lint 2>&1 | grep -E 'error|warning|style' | head -n 30
       echo "media lint: 0 passed, 1 failed"; return 1; fi
}
part lint lint
summary
