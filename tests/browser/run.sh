#!/usr/bin/env bash
# make test-browser: the admin and the block editor in Debian's chromium (puppeteer-core
# from npm, pinned by package-lock.json; no browser download), against the running stack of
# ${WITSPER_VAR:-<repo>/var}/stack.env. Logs in as the stack's admin and visits the
# dashboard, Site Health (every async test finishes, the plugin's tests are listed),
# Tools → Witsper (and its self-test button), Plugins, and the block editor: a post with a
# few blocks is published, opened on the front end and compared byte for byte with the same
# page rendered with the plugin unloaded for that request (the must-use switch of the load
# test, tests/load/witsper-load-plugin-switch.php, linked in for the run). On a network
# (MULTISITE in stack.env) the network admin pages too. Any JavaScript error or same-origin
# response >= 400 fails. Screenshots: $WITSPER_VAR/test-logs/browser/*.png.
# Ends with "N passed, N failed, N skipped" (tests/lib/harness.sh).
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
# shellcheck source=tests/lib/harness.sh
. tests/lib/harness.sh
started=$SECONDS

var=${WITSPER_VAR:-$repo/var}
env_file=$var/stack.env
if [[ ! -f $env_file ]]; then
  must_run "stack" "no $env_file: run make up"
  summary; exit 1
fi
set -a
# shellcheck disable=SC1090  # written by stack/up.sh
. "$env_file"
set +a

out=$var/test-logs/browser
mkdir -p "$out"
rm -f "$out"/*.png

# 1. The browser: Debian's chromium, never a downloaded one. Missing = a failure.
chromium_bin=${BROWSER_CHROMIUM:-/usr/lib/chromium/chromium}
if ! command -v chromium >/dev/null || [[ ! -x $chromium_bin ]]; then
  must_run "chromium" "Debian's chromium is not installed (apt-get install chromium fonts-liberation; .ci/run does)"
  summary; exit 1
fi
pass "Debian's chromium is installed ($(dpkg-query -W -f '${Version}' chromium 2>/dev/null))"

# 2. puppeteer-core, as the diff suite installs its npm inputs: npm ci from the lock file,
#    bounded retries (the registry is the only network we use).
if [[ ! -f tests/browser/node_modules/puppeteer-core/package.json ]] \
   || [[ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]]; then
  for try in 1 2 3; do
    # PUPPETEER_SKIP_DOWNLOAD: belt and braces, puppeteer-core downloads nothing anyway.
    if (cd tests/browser && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error); then break; fi
    if (( try == 3 )); then echo "npm ci failed 3 times"; else sleep $((try * 5)); fi
  done
fi
if [[ ! -f tests/browser/node_modules/puppeteer-core/package.json ]]; then
  must_run "puppeteer-core" "npm ci in tests/browser failed"
  summary; exit 1
fi

# 3. The plugin-off switch for the comparison: the load test's must-use plugin, linked in for
#    this run only (left alone if something else installed it), removed on exit.
switch_src=$repo/tests/load/witsper-load-plugin-switch.php
switch_dst=$WITSPER_WP_ROOT/wp-content/mu-plugins/witsper-load-plugin-switch.php
own_switch=0
cleanup() { (( own_switch )) && rm -f "$switch_dst"; return 0; }
trap cleanup EXIT
if [[ ! -e $switch_dst ]]; then
  mkdir -p "$(dirname "$switch_dst")"
  ln -s "$switch_src" "$switch_dst" && own_switch=1
fi

network=0
[[ -n ${WITSPER_MULTISITE:-} ]] && network=1

# 4. The browser run. Its CHECK lines become the harness's PASS/FAIL; DONE proves it ended.
echo "browser: $WITSPER_URL as $WITSPER_ADMIN_USER${WITSPER_MULTISITE:+ (network: $WITSPER_MULTISITE)}; screenshots in $out"
done_seen=0 rc=0
while IFS= read -r line; do
  case $line in
    'CHECK PASS '*) pass "${line#CHECK PASS }" ;;
    'CHECK FAIL '*) fail "${line#CHECK FAIL }" ;;
    'INFO '*) say "      ${line#INFO }" ;;
    DONE) done_seen=1 ;;
    *) say "      $line" ;;
  esac
done < <(BROWSER_OUT=$out BROWSER_CHROMIUM=$chromium_bin BROWSER_NETWORK=$network \
           timeout -k 10 600 node tests/browser/admin.js 2>&1; echo "EXIT $?")
(( done_seen )) || fail "the browser script ran to its end (no DONE line: crashed or timed out after 600 s)"

shots=$(find "$out" -name '*.png' | wc -l)
(( shots >= 6 )) && pass "screenshots kept: $shots in $out" || fail "screenshots kept (only $shots in $out)"
say "browser suite: $((SECONDS - started)) s"
summary
