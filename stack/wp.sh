#!/usr/bin/env bash
# Run PHP code inside the native stack's WordPress, as its first administrator:
#   stack/wp.sh 'echo get_option("home"), "\n";'
# A thin wrapper over the stack's real WP-CLI (`$WITSPER_VAR/bin/wp --user=ADMIN eval`);
# for anything else call $WITSPER_VAR/bin/wp directly. WITSPER_VAR selects the stack.
set -Eeuo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/lib.sh"
load_stack_env || die "no stack in $WITSPER_VAR (run make up)"
(($# == 1)) || die "usage: stack/wp.sh 'PHP CODE'"
exec "$WITSPER_VAR/bin/wp" --user="$WITSPER_ADMIN_USER" eval "$1"
