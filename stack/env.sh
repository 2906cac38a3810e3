# shellcheck shell=bash
# The one reader of a stack's stack.env (written by stack/up.sh, values quoted with
# printf %q) for every shell script: `make up`'s own scripts, the suites, the Makefile.
#   . stack/env.sh; stack_env_load [FILE]    exports every KEY=VALUE of FILE
# FILE defaults to ${WITSPER_VAR:-<repo>/var}/stack.env. Returns 1 when it does not exist.
# The values describe the stack that is running, so they win over the environment.
stack_env_load() {
  local f=${1:-${WITSPER_VAR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/var}/stack.env}
  [[ -f $f ]] || return 1
  set -a
  # shellcheck disable=SC1090  # written by stack/up.sh
  . "$f"
  set +a
}
