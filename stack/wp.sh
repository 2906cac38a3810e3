#!/usr/bin/env bash
# Run PHP code inside the native stack's WordPress with the CLI (see stack/wp-eval.php):
#   stack/wp.sh 'echo get_option("home"), "\n";'
# WITSPER_VAR selects the stack, as for make up. FFI is on, as in the workers' mode true.
set -Eeuo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"
load_stack_env || die "no stack in $WITSPER_VAR (run make up)"
(($# == 1)) || die "usage: stack/wp.sh 'PHP CODE'"
exec php -d ffi.enable=true -d display_errors=stderr -d error_reporting='E_ALL & ~E_DEPRECATED' \
  "$WITSPER_ROOT/stack/wp-eval.php" "$1"
