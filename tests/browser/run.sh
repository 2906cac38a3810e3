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
# Read in subshells only: the second stack below must not inherit the first one's settings.
# shellcheck disable=SC1090  # written by stack/up.sh
# shellcheck source=stack/env.sh
. stack/env.sh
main_multisite=$(stack_env_load "$env_file"; echo "${WITSPER_MULTISITE:-}")

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

# 3. One browser run against the stack of a stack.env. The plugin-off switch for the
#    comparison is the load test's must-use plugin, linked in for the run only (left alone if
#    something else installed it) and removed on exit. The run's CHECK lines become the
#    harness's PASS/FAIL (prefixed for the second stack); DONE proves the script ended.
switches=() second_var=''
cleanup() {
  local f
  for f in "${switches[@]}"; do rm -f "$f"; done
  if [[ -n $second_var ]]; then
    WITSPER_VAR=$second_var stack/down.sh >/dev/null 2>&1 || true
    rm -rf "$second_var"
  fi
  return 0
}
trap cleanup EXIT

browse() { # browse STACK_ENV PREFIX SCREENSHOT_DIR
  local env_file=$1 prefix=$2 shots_dir=$3 line done_seen=0
  while IFS= read -r line; do
    case $line in
      'CHECK PASS '*) pass "$prefix${line#CHECK PASS }" ;;
      'CHECK FAIL '*) fail "$prefix${line#CHECK FAIL }" ;;
      'INFO '*) say "      ${line#INFO }" ;;
      'SWITCH '*) switches+=("${line#SWITCH }") ;;
      DONE) done_seen=1 ;;
      *) say "      $line" ;;
    esac
  done < <(
    stack_env_load "$env_file"
    switch_dst=$WITSPER_WP_ROOT/wp-content/mu-plugins/witsper-load-plugin-switch.php
    if [[ ! -e $switch_dst ]]; then
      mkdir -p "$(dirname "$switch_dst")"
      ln -s "$repo/tests/load/witsper-load-plugin-switch.php" "$switch_dst" && echo "SWITCH $switch_dst"
    fi
    network=0
    [[ -n ${WITSPER_MULTISITE:-} ]] && network=1
    echo "INFO browser: $WITSPER_URL as $WITSPER_ADMIN_USER${WITSPER_MULTISITE:+ (network: $WITSPER_MULTISITE)}; screenshots in $shots_dir"
    mkdir -p "$shots_dir"
    rm -f "$shots_dir"/*.png
    BROWSER_OUT=$shots_dir BROWSER_CHROMIUM=$chromium_bin BROWSER_NETWORK=$network \
      BROWSER_MEDIA_DIR=${WITSPER_MEDIA_CORPUS:-$repo/../shared/corpus/media} \
      timeout -k 10 600 node tests/browser/admin.js 2>&1
    echo "EXIT $?"
  )
  (( done_seen )) || fail "${prefix}the browser script ran to its end (no DONE line: crashed or timed out after 600 s)"
}

browse "$env_file" '' "$out"
# The script deletes its post itself (a check); a run killed half-way may leave one behind.
# shellcheck disable=SC2016  # PHP code, not shell
left=$(WITSPER_VAR=$var timeout 60 stack/wp.sh '$n = 0; foreach ( get_posts( array( "post_type" => "post", "post_status" => "any", "numberposts" => 50, "s" => "Witsper browser test" ) ) as $p ) { if ( 0 === strpos( $p->post_title, "Witsper browser test " ) ) { wp_delete_post( $p->ID, true ); $n++; } } echo $n;' 2>/dev/null || echo '?')
[[ $left == 0 ]] || say "      removed $left post(s) an earlier, interrupted run left behind"

# 4. The network admin. When the stack under test is a single site, a second stack (its own
#    WITSPER_VAR and ports, as tests/stack/run.sh does) comes up as a subdirectory network
#    for the same visit, with the network admin pages, and goes down again.
if [[ -n $main_multisite ]]; then
  say "      the stack under test is a network: its network admin was visited above"
elif [[ ${BROWSER_NETWORK_STACK:-1} == 0 ]]; then
  skip "network admin in a second, multisite stack" "BROWSER_NETWORK_STACK=0"
else
  base=${WITSPER_BROWSER_PORT_BASE:-18300}
  busy=''
  for p in $((base + 80)) $((base + 90)) $((base + 91)) $((base + 6)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && busy+=" $p"
  done
  if [[ -n $busy ]]; then
    fail "network admin: ports$busy are in use (set WITSPER_BROWSER_PORT_BASE to a free range)"
  else
    second_var=$(mktemp -d /tmp/witsper-browser-network.XXXXXX)
    say "=== a second stack as a subdirectory network ($second_var, port $((base + 80)))"
    if env -u WITSPER_URL -u WITSPER_WP_ROOT -u WITSPER_FFI_MODE -u WITSPER_PHP_EXTRA_INI \
         -u WITSPER_LIB -u WITSPER_FPM_MAX_REQUESTS -u WITSPER_FPM_MAX_SPARE_SERVERS \
         -u WITSPER_ADMIN_USER -u WITSPER_ADMIN_PASSWORD -u WITSPER_MULTISITE \
         MULTISITE=subdirectory WITSPER_VAR="$second_var" WITSPER_PORT=$((base + 80)) \
         WITSPER_FPM_PORT=$((base + 90)) WITSPER_FPM_STATUS_PORT=$((base + 91)) \
         WITSPER_DB_PORT=$((base + 6)) timeout 300 stack/up.sh >"$out/network-stack-up.log" 2>&1; then
      pass "network admin: a second stack is up as a subdirectory network"
      browse "$second_var/stack.env" '[network] ' "$out/network"
    else
      fail "network admin: a second stack is up as a subdirectory network (log: $out/network-stack-up.log)"
      tail -n 5 "$out/network-stack-up.log" | sed 's/^/      /'
    fi
  fi
fi

shots=$(find "$out" -name '*.png' | wc -l)
if (( shots >= 8 )); then pass "screenshots kept: $shots in $out"; else fail "screenshots kept (only $shots in $out)"; fi
say "browser suite: $((SECONDS - started)) s"
summary
