#!/usr/bin/env bash
# deps.sh [test]: install the Debian packages pbc-pipeline needs, quietly and
# only when one is missing.  Run by every top-level make target before
# building.  "test" adds what only the tests need: the browser the statement
# pages are checked in, xmllint, and clang for the fuzzers.
set -eu
pkgs="build-essential pkg-config libcsv-dev zlib1g-dev libpq-dev libglib2.0-dev
      libcriterion-dev postgresql postgresql-contrib"
if [ "${1:-}" = test ]; then
    pkgs="$pkgs chromium libxml2-utils clang libclang-rt-14-dev valgrind"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deps: error: missing Debian packages:$missing" >&2
    echo "hint: run as root, or: sudo apt-get install$missing" >&2
    exit 3
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
