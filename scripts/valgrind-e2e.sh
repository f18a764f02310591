#!/usr/bin/env bash
# valgrind-e2e.sh: the whole pipeline (ingest → aggregate) on the bundled
# sample with every stage under valgrind memcheck (issue 9): any invalid read
# or write, use of uninitialised memory or definite leak makes a stage exit 99
# and the run fail.  Uses the optimised build, as operators run it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
command -v valgrind >/dev/null || { echo "valgrind-e2e: error: valgrind is not installed" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
for s in ingest attribute price aggregate; do
    printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite "%s/build/rel/bin/pbc-%s" "$@"\n' \
        "$ROOT" "$s" > "$tmp/bin/pbc-$s"
    chmod +x "$tmp/bin/pbc-$s"
done
make -s --no-print-directory -f pipeline.mk BIN="$tmp/bin" IN=sample/in REF=sample/ref \
    OUT="$tmp/out" PERIOD=2006-09 aggregate
grep -q ',FAIL$' "$tmp/out/reconciliation.csv" && { echo "valgrind-e2e: reconciliation failed" >&2; exit 1; }
echo "valgrind-e2e: ingest, attribute, price and aggregate clean under memcheck"
