#!/usr/bin/env bash
# run-sample.sh: `make run` — the whole pipeline on the bundled sample data,
# then the load into PostgreSQL (a private server when none is configured)
# and the rendered statements.  Prints where everything is.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=${OUT:-$ROOT/out/sample}
PERIOD=${PERIOD:-2006-09}
IN=$ROOT/sample/in
REF=$ROOT/sample/ref

target=aggregate
[ -x build/rel/bin/pbc-publish ] && target=publish
make --no-print-directory -f pipeline.mk IN="$IN" REF="$REF" OUT="$OUT" PERIOD="$PERIOD" "$target"

echo
echo "Reconciliation (R-I1 and §7 identities):"
awk -F, 'NR > 1 { n++; if ($6 == "OK") ok++ } END { printf "  %d of %d checks OK\n", ok, n }' \
    "$OUT/reconciliation.csv"
awk -F, 'NR > 1 { r += $3; a += $4; s += $5; j += $6; f++ }
    END { printf "  %d files: %d rows read = %d accepted + %d superseded + %d rejected\n", f, r, a, s, j }' \
    "$OUT/file_reconciliation.csv"
echo
"$ROOT/build/rel/bin/pbc-aggregate" --show "$OUT"
echo
echo "Outputs: $OUT/"
if [ -f "$OUT/statements/index.html" ]; then
    echo "Statements: $OUT/statements/index.html"
fi
if [ "$target" = publish ] && [ -z "${PGURI:-}${PGHOST:-}${PGDATABASE:-}" ]; then
    echo "Database: eval \"\$(scripts/pg.sh env)\" && psql   (or: scripts/pg.sh psql)"
fi
