#!/usr/bin/env bash
# bench/run.sh: the pbc-pipeline benchmarks (issue 8, docs/performance.md).
#
#   bench/run.sh pct        `make bench`: a PCT month (and a PCT year for growth); minutes
#   bench/run.sh national   `make bench-national`: England's month; many minutes
#
# Generates the data with the project's generator (pbc-gen, seed 1) into
# bench/data/<scale>/ once and reuses it (bench/data is never committed), then
# measures, in this one run and on this machine:
#   - the floors: `gzip -dc` of the same extracts (and of the registrations)
#     to /dev/null, and `psql \copy` of priced_activity.csv into the same table;
#   - every stage as pipeline.mk runs it (make -j2 per target: ingest is the
#     per-file parse steps and the merge), with wall and CPU time, peak
#     resident memory of the largest process (/usr/bin/time %M), rows/s, MB/s;
#   - the registration index: load time, memory held, look-ups/s (bench-registry);
#   - the whole pipeline from scratch with -j2 and with -j1;
#   - pbc-publish's COPY of priced_activity.csv against psql's \copy;
# and prints each figure with its ratio to its floor and the issue's target, as a
# table and as bench/results/<scale>-<date>.csv.
#
# Environment: BENCH_PUBLISH=0 skips the database part (it needs PostgreSQL:
# the private server of scripts/pg.sh, in var/pg-bench, unless PGURI or PG* is
# set); BENCH_JOBS (default 2) is make's -j; BENCH_KEEP=1 keeps the run's
# output directories under bench/data/runs (they are removed otherwise: a
# national run writes some 15 GB).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=$ROOT/build/rel/bin
scale=${1:-pct}
jobs=${BENCH_JOBS:-2}
publish=${BENCH_PUBLISH:-1}
prog="bench/run.sh"

die() { echo "$prog: error: $*" >&2; exit 2; }
case "$scale" in
pct) datasets="pct-month pct-year" ;;
national) datasets="national-month" ;;
-h | --help)
    sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
*) die "unknown scale \"$scale\": expected pct or national (try --help)" ;;
esac
command -v /usr/bin/time >/dev/null || die "/usr/bin/time is needed (Debian package \"time\")"
for b in pbc-gen pbc-ingest pbc-attribute pbc-price pbc-aggregate bench-registry; do
    [ -x "$BIN/$b" ] || die "missing $BIN/$b: run make first"
done

stamp=$(date +%Y%m%d-%H%M)
mkdir -p bench/results bench/data/runs
csv=bench/results/$scale-$stamp.csv
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pbc-bench.XXXXXX")
runs=()
cleanup() {
    rm -rf "$tmp"
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
        for d in "${runs[@]}"; do rm -rf "$d"; done
    fi
}
trap cleanup EXIT

echo "scale,step,wall_s,user_s,sys_s,peak_rss_mb,rows,rows_per_s,mb,mb_per_s,floor,floor_s,ratio,target,met" > "$csv"

# gen DATASET: bench/data/DATASET from pbc-gen, unless already complete.
gen() {
    local d=bench/data/$1 want="scale $1 seed 1"
    if [ -f "$d/.complete" ] && [ "$(cat "$d/.complete")" = "$want" ]; then
        return
    fi
    echo "generating $d (pbc-gen --scale $1 --seed 1) ..."
    rm -rf "$d"
    "$BIN/pbc-gen" --out "$d" --scale "$1" --seed 1 -j 4 -q
    echo "$want" > "$d/.complete"
}

# measure NAME CMD...: runs CMD under /usr/bin/time; sets W U S M (wall, user,
# system seconds; peak RSS in MB of the largest process); stderr kept in $tmp/NAME.log.
measure() {
    local name=$1
    shift
    if ! /usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.log"; then
        echo "$prog: error: step $name failed:" >&2
        tail -20 "$tmp/$name.log" >&2
        exit 1
    fi
    read -r W U S M < <(tail -1 "$tmp/$name.time")
    M=$(awk -v k="$M" 'BEGIN { printf "%.0f", k / 1024 }')
}

# row DATASET STEP ROWS MB FLOOR FLOOR_S TARGET: one result line from W U S M.
# TARGET: conditions joined by "&" on r (ratio to the floor), w (wall s),
# m (peak MB) or x (rows/s), e.g. "r<=3" or "w<=20&m<=2048"; "" for none.
row() {
    awk -v ds="$1" -v step="$2" -v rows="$3" -v mb="$4" -v floor="$5" -v fs="$6" -v target="$7" \
        -v w="$W" -v u="$U" -v s="$S" -v m="$M" 'BEGIN {
        rps = (rows != "" && w > 0) ? sprintf("%.0f", rows / w) : ""
        mbs = (mb != "" && w > 0) ? sprintf("%.1f", mb / w) : ""
        ratio = (fs != "" && fs > 0) ? sprintf("%.2f", w / fs) : ""
        verdict = ""
        if (target != "") {
            n = split(target, parts, "&"); ok = 1
            for (i = 1; i <= n; i++) {
                p = parts[i]; v = substr(p, 1, 1); op = substr(p, 2, 2); lim = substr(p, 4) + 0
                val = v == "r" ? ratio : v == "w" ? w : v == "m" ? m : rps
                if (val == "") { ok = -1; break }
                if (op == "<=" && !(val + 0 <= lim)) ok = 0
                if (op == ">=" && !(val + 0 >= lim)) ok = 0
            }
            verdict = ok == 1 ? "yes" : ok == 0 ? "no" : ""
        }
        printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", ds, step, w, u, s, m, rows, rps,
               mb, mbs, floor, fs, ratio, target, verdict
    }' >> "$csv"
}

# Sums of the file reconciliation: rows read.
rows_read() { awk -F, 'NR > 1 { n += $3 } END { print n + 0 }' "$1"; }
mb_of() { du -cb "$@" 2>/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1e6 }'; }

# --- the database (publish) ---------------------------------------------------
pg_ready=0
pg_setup() {
    [ "$publish" = 1 ] || return 0
    [ -x "$BIN/pbc-publish" ] || { echo "$prog: no pbc-publish: publish skipped" >&2; return 0; }
    if [ -z "${PGURI:-}${PGHOST:-}${PGHOSTADDR:-}${PGPORT:-}${PGDATABASE:-}${PGSERVICE:-}" ]; then
        export PBC_PGDATA=${PBC_PGDATA:-$ROOT/var/pg-bench}
        eval "$(scripts/pg.sh env)"
        scripts/pg.sh start >/dev/null || { echo "$prog: no PostgreSQL: publish skipped" >&2; return 0; }
        # The benchmark's own server: an empty database each time, so that a load
        # never replaces (and reports the changes from) one of an earlier benchmark.
        psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS \"$PGDATABASE\" WITH (FORCE)" &&
            psql -XAtq -d postgres -c "CREATE DATABASE \"$PGDATABASE\"" ||
            { echo "$prog: could not empty the benchmark database: publish skipped" >&2; return 0; }
    fi
    "$BIN/pbc-publish" -q --migrate >/dev/null || { echo "$prog: migrations failed: publish skipped" >&2; return 0; }
    pg_ready=1
}

# publish_bench DATASET OUT: pbc-publish, then psql \copy of the same file into
# the same table, in a transaction that first deletes the rows just published
# (as a re-run's load does) and is rolled back.
publish_bench() {
    local ds=$1 out=$2 pa=$2/priced_activity.csv
    [ "$pg_ready" = 1 ] || return 0
    local rows mb
    rows=$(($(wc -l < "$pa") - 1))
    mb=$(mb_of "$pa")
    measure "$ds-publish" "$BIN/pbc-publish" --out "$out"
    local copy_s
    copy_s=$(sed -n 's/.*loaded [0-9]* rows from priced_activity.csv into pbc.priced_activity (\([0-9.]*\) s).*/\1/p' \
        "$tmp/$ds-publish.log" | tail -1)
    local pw=$W pu=$U ps=$S pm=$M
    # The floor: the table's columns in the file's order, with the three a load
    # adds (load_id, pct_code, period) in front, prepared before the clock starts.
    local load pct period cols
    pct=$(sed -n 's/^pct=//p' "$out/run.ini")
    period=$(sed -n 's/^period=//p' "$out/run.ini")
    load=$(psql -XAtq -c "SELECT max(load_id) FROM pbc.priced_activity WHERE pct_code = '$pct' AND period = '$period'")
    local tcols
    tcols=$(psql -XAtq -c "SELECT string_agg(column_name, ' ') FROM information_schema.columns
                           WHERE table_schema = 'pbc' AND table_name = 'priced_activity'")
    local keep="" names="load_id,pct_code,period" i=0
    for c in $(head -1 "$pa" | tr ',' ' '); do
        i=$((i + 1))
        if [[ " $tcols " == *" $c "* ]]; then keep="$keep,$i"; names="$names,$c"; fi
    done
    cut -d, -f"${keep#,}" "$pa" | sed "1d; s/^/$load,$pct,$period,/" > "$tmp/copy.csv"
    cat > "$tmp/copy.sql" <<EOF
\\set ON_ERROR_STOP on
BEGIN;
SET LOCAL ROLE pbc_loader;
DELETE FROM pbc.priced_activity WHERE pct_code = '$pct' AND period = '$period';
\\timing on
\\copy pbc.priced_activity($names) FROM '$tmp/copy.csv' WITH (FORMAT csv)
\\timing off
ROLLBACK;
EOF
    measure "$ds-psql-copy" psql -Xq -f "$tmp/copy.sql"
    local floor_s
    floor_s=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$tmp/$ds-psql-copy.out" | tail -1 |
        awk '{ printf "%.2f", $1 / 1000 }')
    W=$floor_s U="" S="" M=""
    row "$ds" "floor: psql copy priced_activity" "$rows" "$mb" "" "" ""
    # pbc-publish's COPY against psql's: ratio = our time / psql's; a rate of at
    # least 70 % of psql's is a time of at most 1/0.7 = 1.43 times.
    W=$copy_s U="" S="" M=""
    row "$ds" "publish: COPY priced_activity" "$rows" "$mb" "psql copy" "$floor_s" "r<=1.43"
    W=$pw U=$pu S=$ps M=$pm
    row "$ds" "publish (whole load)" "$rows" "$mb" "" "" ""
}

# same_outputs DATASET DIR SUMS: DIR's outputs are those summed in SUMS; DIR is then removed.
same_outputs() {
    if [ "$(cd "$2" && md5sum ./*.csv | grep -v ' ./run.ini')" != "$3" ]; then
        echo "$prog: error: the runs of $1 disagree ($2)" >&2
        exit 1
    fi
    [ "${BENCH_KEEP:-0}" = 1 ] || [ "${4:-}" = keep ] || rm -rf "$2"
}

# --- one data set ---------------------------------------------------------------
bench_dataset() {
    local ds=$1 data=bench/data/$1
    local in=$data/in ref=$data/ref
    local period=${PERIOD:-2006-09}
    local out=$ROOT/bench/data/runs/$ds-$stamp
    runs+=("$out" "$out-j1" "$out-jall")
    local mk=(make --no-print-directory -s -f pipeline.mk "BIN=$BIN" "IN=$in" "REF=$ref" "PERIOD=$period")
    local gz=() plain=()
    for f in "$in"/*; do
        case "$f" in *.gz) gz+=("$f") ;; *.csv) plain+=("$f") ;; esac
    done
    local in_mb raw_mb
    in_mb=$(mb_of "$in"/*)
    echo "== $ds: $(ls "$in" | wc -l) extracts, $in_mb MB"

    # floors
    measure "$ds-gzip" sh -c 'gzip -dc "$@" > /dev/null' sh "${gz[@]}"
    if [ ${#plain[@]} -gt 0 ]; then
        # plain extracts: reading them is their floor
        local gw=$W gu=$U gs=$S
        measure "$ds-cat" cat "${plain[@]}"
        W=$(awk -v a="$gw" -v b="$W" 'BEGIN { print a + b }')
        U=$(awk -v a="$gu" -v b="$U" 'BEGIN { print a + b }')
        S=$(awk -v a="$gs" -v b="$S" 'BEGIN { print a + b }')
    fi
    local floor=$W
    raw_mb=$( (gzip -dc "${gz[@]}"; [ ${#plain[@]} -eq 0 ] || cat "${plain[@]}") | wc -c |
        awk '{ printf "%.1f", $1 / 1e6 }')
    row "$ds" "floor: gzip -dc extracts" "" "$raw_mb" "" "" ""
    local regf=$ref/registrations.csv.gz
    [ -f "$regf" ] || regf=$ref/registrations.csv
    local reg_floor=""
    if [ -f "$regf" ]; then
        if [[ "$regf" == *.gz ]]; then
            measure "$ds-gzip-reg" sh -c 'gzip -dc "$1" > /dev/null' sh "$regf"
        else
            measure "$ds-gzip-reg" cat "$regf"
        fi
        reg_floor=$W
        row "$ds" "floor: gzip -dc registrations" "" "$(mb_of "$regf")" "" "" ""
    fi

    # the stages, one make target at a time (each as pipeline.mk runs it)
    local work=$out/.work
    measure "$ds-ingest" "${mk[@]}" -j"$jobs" OUT="$out" "$work/units.csv"
    local nread units
    nread=$(rows_read "$work/file_reconciliation.csv")
    row "$ds" "ingest (make -j$jobs)" "$nread" "$in_mb" "gzip -dc" "$floor" "r<=3"
    # the registration index file (under make -j made while ingest merges)
    measure "$ds-regindex" "${mk[@]}" -j"$jobs" OUT="$out" "$work/registrations.idx"
    local nreg
    nreg=$(sed -n 's/.*read \([0-9]*\) registration rows.*/\1/p' "$tmp/$ds-regindex.log" | tail -1)
    row "$ds" "registration index file (make target)" "$nreg" "$(mb_of "$regf")" \
        "gzip -dc registrations" "$reg_floor" ""
    local reg_s
    reg_s=$(sed -n 's/.*registration rows from .* in \([0-9.]*\) s.*/\1/p' "$tmp/$ds-regindex.log" | tail -1)
    if [ -n "$reg_s" ]; then
        W=$reg_s U="" S="" M=""
        row "$ds" "registry load (in the index target)" "$nreg" "$(mb_of "$regf")" "gzip -dc registrations" "$reg_floor" "w<=20"
    fi
    measure "$ds-attribute" "${mk[@]}" -j"$jobs" OUT="$out" "$work/attributed.csv"
    units=$(sed -n 's/.*wrote \([0-9]*\) units to .*/\1/p' "$tmp/$ds-attribute.log" | tail -1)
    row "$ds" "attribute (index file read)" "$units" "$(mb_of "$work/units.csv")" "gzip -dc" "$floor" ""
    measure "$ds-price" "${mk[@]}" -j"$jobs" OUT="$out" "$work/priced.csv"
    row "$ds" "price" "$units" "$(mb_of "$work/attributed.csv")" "gzip -dc" "$floor" ""
    measure "$ds-aggregate" "${mk[@]}" -j"$jobs" OUT="$out" aggregate
    row "$ds" "aggregate" "$units" "$(mb_of "$work/priced.csv")" "gzip -dc" "$floor" ""
    # the intermediates are done with (a national run's are some 10 GB)
    [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$work/parts" "$work/units.csv" "$work/attributed.csv" \
        "$work/priced.csv" "$work/registrations.idx"

    # the registration index on its own: memory held and look-ups per second
    if [ -f "$regf" ]; then
        measure "$ds-registry" "$BIN/bench-registry" --file "$regf" --lookups 20000000
        local held lps nrows lw
        held=$(sed -n 's/^memory held by the index: \([0-9.]*\) MB.*/\1/p' "$tmp/$ds-registry.out")
        lps=$(sed -n 's/.* look-ups in [0-9.]* s: \([0-9.]*\) M\/s.*/\1/p' "$tmp/$ds-registry.out")
        nrows=$(sed -n 's/^loaded \([0-9]*\) rows.*/\1/p' "$tmp/$ds-registry.out")
        lw=$(sed -n 's/.* in \([0-9.]*\) s: [0-9.]* M rows\/s.*/\1/p' "$tmp/$ds-registry.out")
        # peak_rss_mb here is the memory the index holds
        W=$lw U="" S="" M=$held
        row "$ds" "registry index (bench-registry): load" "$nrows" "$(mb_of "$regf")" \
            "gzip -dc registrations" "$reg_floor" "w<=20&m<=2048"
        W=$(awk -v l="$lps" 'BEGIN { printf "%.3f", 20 / l }') U="" S="" M=""
        row "$ds" "registry look-ups (20 million)" 20000000 "" "" "" "x>=5000000"
    fi

    # the whole pipeline from scratch: -j$jobs, then -j1; the outputs of the
    # three runs must agree, file for file
    local sums
    sums=$(cd "$out" && md5sum ./*.csv | grep -v ' ./run.ini')
    local target="r<=8&m<=4096"
    # issue 8: a PCT month finishes in under a second
    [ "$ds" != pct-month ] || target="w<=1&m<=4096"
    measure "$ds-pipeline" "${mk[@]}" -j"$jobs" OUT="$out-jall" aggregate
    row "$ds" "pipeline ingest..aggregate -j$jobs" "$units" "$in_mb" "gzip -dc" "$floor" "$target"
    same_outputs "$ds" "$out-jall" "$sums" keep
    # a night with new extracts and the same registrations: everything again but
    # the registration index
    find "$out-jall" -mindepth 1 -maxdepth 1 ! -name .work -exec rm -rf {} +
    find "$out-jall/.work" -mindepth 1 -maxdepth 1 ! -name registrations.idx -exec rm -rf {} +
    measure "$ds-pipeline-idx" "${mk[@]}" -j"$jobs" OUT="$out-jall" aggregate
    row "$ds" "pipeline -j$jobs with the registration index kept" "$units" "$in_mb" "gzip -dc" "$floor" ""
    same_outputs "$ds" "$out-jall" "$sums"
    measure "$ds-pipeline-j1" "${mk[@]}" -j1 OUT="$out-j1" aggregate
    row "$ds" "pipeline ingest..aggregate -j1" "$units" "$in_mb" "gzip -dc" "$floor" ""
    same_outputs "$ds" "$out-j1" "$sums"
    publish_bench "$ds" "$out"
}

for ds in $datasets; do gen "$ds"; done
pg_setup
for ds in $datasets; do bench_dataset "$ds"; done

# linear growth (pct): a PCT year against a PCT month, per unit of activity
if [ "$scale" = pct ]; then
    awk -F, '$2 ~ /^pipeline ingest..aggregate -j/ && $2 !~ /-j1$/ { w[$1] = $3; u[$1] = $7 }
        END { if (u["pct-month"] > 0 && u["pct-year"] > 0) {
            g = (w["pct-year"] / u["pct-year"]) / (w["pct-month"] / u["pct-month"])
            printf "growth,pct-year vs pct-month: time per unit (ratio),,,,,,,,,,,%.2f,r<=1.08,%s\n", g,
                (g <= 1.0834) ? "yes" : "no" } }' "$csv" >> "$csv"
fi

echo
echo "Results ($csv):"
awk -F, 'NR == 1 { next } {
    printf "%-14s %-40s %8s s %6s MB %10s rows/s %7s MB/s %6s x %-14s %s\n",
        $1, $2, $3, $6, $8, $10, $13, $14, $15 }' "$csv"
