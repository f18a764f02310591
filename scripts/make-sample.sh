#!/usr/bin/env bash
# make-sample.sh: regenerate the committed sample (sample/in, sample/ref)
# with pbc-gen at --scale sample.  The output is deterministic: running this
# again on an unchanged generator leaves `git status` clean.
#
#   scripts/make-sample.sh            build pbc-gen if needed, regenerate
#   PBC_GEN=path/to/pbc-gen scripts/make-sample.sh
#
# What the sample holds is described in sample/README.md; the generator in
# docs/generator.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

GEN=${PBC_GEN:-}
if [ -z "$GEN" ]; then
    make --no-print-directory -s build/rel/bin/pbc-gen
    GEN=$ROOT/build/rel/bin/pbc-gen
fi

# Seed, period and PCT are fixed here so that the sample never drifts; the
# real 2024/25 tariff in data/ supplies the HRGs.
"$GEN" --out sample --scale sample --seed 1 --period 2006-09 --pct 5QA \
    --tariff-source data/nhs-tariff-2024-25/tariff_apc.csv --force --quiet

files=$(find sample/in sample/ref -type f | wc -l)
bytes=$(find sample/in sample/ref -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
echo "make-sample: wrote $files files, $bytes bytes under sample/in and sample/ref"
