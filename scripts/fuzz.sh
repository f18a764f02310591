#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer harnesses of fuzz/ with clang and runs each
# for a bounded time (issue 9; docs/reliability.md).  Called by `make fuzz`.
#
#   FUZZ_SECONDS=60   seconds per harness (5 is the quick CI mode)
#   FUZZ_ONLY="csv_in extract"   run only these harnesses
#   FUZZ_CC=clang     the compiler (must have libFuzzer: libclang-rt-NN-dev)
#   FUZZ_JOBS=2       parallel compile jobs
#   FUZZ_SRC=lib      the library sources to compile (another directory holding
#                     a copy of lib/ tries a fix before it lands)
#
# The library (lib/*.c) is compiled again with clang, the same sanitizers
# as the harnesses (-fsanitize=fuzzer-no-link,address,undefined, UB fatal),
# into build/fuzz/libpbc-fuzz.a.
#
# First the regression inputs: every file in fuzz/regress/<name>/ is an
# input that once crashed harness <name>; each is run once and must pass.
# Then the fuzzing: each harness reads its committed seeds from
# fuzz/corpus/<name>/ (never written) and keeps what it discovers in
# build/fuzz/corpus/<name>/, so later runs start from there.  A crash, leak,
# timeout or out-of-memory input is saved as
# build/fuzz/artifacts/<name>-crash-<sha1> (reproduce: build/fuzz/bin/<name> FILE;
# keep it: copy it into fuzz/regress/<name>/ with the fix).
#
# Prints the regressions that still fail, then one line per harness
# (executions, rate, corpus, crashes), writes both to build/fuzz/summary.txt,
# and exits 1 when a regression input or the fuzzing crashed, 3 when the
# build failed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECONDS_EACH=${FUZZ_SECONDS:-60}
CC=${FUZZ_CC:-clang}
JOBS=${FUZZ_JOBS:-2}
OUT=build/fuzz
SRC=${FUZZ_SRC:-lib}
PKGS="glib-2.0 zlib libpq"

# name  source  extra flags
HARNESSES="
csv_in               fuzz_csv_in.c
extract              fuzz_extract.c
practices            fuzz_practices.c
registry             fuzz_registry.c
tariff_apc           fuzz_tariff.c         -DTARIFF_NAME=tariff_apc
tariff_op            fuzz_tariff.c         -DTARIFF_NAME=tariff_op
tariff_op_procedure  fuzz_tariff.c         -DTARIFF_NAME=tariff_op_procedure
tariff_ae            fuzz_tariff.c         -DTARIFF_NAME=tariff_ae
tariff_params        fuzz_tariff.c         -DTARIFF_NAME=tariff_params
mff                  fuzz_tariff.c         -DTARIFF_NAME=mff
local_prices         fuzz_tariff.c         -DTARIFF_NAME=local_prices
exclusions           fuzz_tariff.c         -DTARIFF_NAME=exclusions
populations          fuzz_practice_year.c
budgets              fuzz_practice_year.c  -DLOADER_BUDGETS
conf                 fuzz_conf.c
parsers              fuzz_parsers.c
units                fuzz_units.c
"

die() {
    echo "fuzz: error: $*" >&2
    exit 3
}

command -v "$CC" >/dev/null || die "compiler \"$CC\" not found (hint: apt-get install clang libclang-rt-14-dev)"
case "$SECONDS_EACH" in
'' | *[!0-9]*) die "FUZZ_SECONDS \"$SECONDS_EACH\" is not a whole number of seconds" ;;
esac
PKG_CFLAGS=$(pkg-config --cflags $PKGS) || die "pkg-config cannot find $PKGS"
PKG_LIBS=$(pkg-config --libs $PKGS)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra -I$SRC $PKG_CFLAGS"

mkdir -p "$OUT/obj" "$OUT/bin" "$OUT/corpus" "$OUT/artifacts" "$OUT/logs"

# --- the library, compiled with clang and the fuzzing sanitizers ------------
[ -d "$SRC" ] || die "FUZZ_SRC \"$SRC\" is not a directory"
lib_stale=0
[ "$(cat "$OUT/libpbc-fuzz.src" 2>/dev/null)" = "$SRC" ] || lib_stale=1
for src in "$SRC"/*.c "$SRC"/*.h; do
    [ "$src" -nt "$OUT/libpbc-fuzz.a" ] && lib_stale=1 && break
done
if [ ! -f "$OUT/libpbc-fuzz.a" ] || [ "$lib_stale" = 1 ]; then
    echo "fuzz: compiling $SRC/*.c with $CC" >&2
    rm -f "$OUT"/obj/*.o "$OUT"/obj/*.err
    # A file that does not compile (someone's work in progress) is left out
    # with a warning; the harnesses that need it then fail to link.
    printf '%s\n' "$SRC"/*.c | xargs -P "$JOBS" -I{} sh -c \
        "$CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o $OUT/obj/\$(basename {} .c).o {} \
            2>$OUT/obj/\$(basename {} .c).err || rm -f $OUT/obj/\$(basename {} .c).o"
    for src in "$SRC"/*.c; do
        b=$(basename "$src" .c)
        [ -f "$OUT/obj/$b.o" ] || echo "fuzz: warning: $src does not compile, left out" \
            "(see $OUT/obj/$b.err)" >&2
    done
    rm -f "$OUT/libpbc-fuzz.a"
    ar rcs "$OUT/libpbc-fuzz.a" "$OUT"/obj/*.o || die "could not archive the library"
    echo "$SRC" >"$OUT/libpbc-fuzz.src"
fi

# --- the harnesses -----------------------------------------------------------
selected() {
    [ -z "${FUZZ_ONLY:-}" ] && return 0
    [[ " $FUZZ_ONLY " == *" $1 "* ]]
}

names=""
while read -r name src flags; do
    [ -n "$name" ] || continue
    selected "$name" || continue
    bin="$OUT/bin/$name"
    if [ ! -x "$bin" ] || [ "fuzz/$src" -nt "$bin" ] || [ fuzz/fuzz.h -nt "$bin" ] \
        || [ "$OUT/libpbc-fuzz.a" -nt "$bin" ]; then
        # shellcheck disable=SC2086 # word splitting of the flag lists is wanted
        $CC $CFLAGS $SAN -fsanitize=fuzzer $flags -o "$bin" "fuzz/$src" \
            "$OUT/libpbc-fuzz.a" $PKG_LIBS -lcsv -lm -lpthread \
            || die "could not build harness $name"
    fi
    names="$names $name"
done <<<"$HARNESSES"
[ -n "$names" ] || die "no harness selected by FUZZ_ONLY=\"${FUZZ_ONLY:-}\""

# --- the runs ------------------------------------------------------------------
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export G_SLICE=always-malloc PBC_QUIET=1

LIMITS="-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048"
summary="$OUT/summary.txt"
: >"$summary"

# --- the regression inputs -------------------------------------------------------
regress_total=0 regress_failed=0
for name in $names; do
    [ -d "fuzz/regress/$name" ] || continue
    for f in "fuzz/regress/$name"/*; do
        [ -f "$f" ] || continue
        regress_total=$((regress_total + 1))
        # shellcheck disable=SC2086
        if ! "$OUT/bin/$name" $LIMITS -close_fd_mask=3 "$f" >"$OUT/logs/regress-$name-$(basename "$f").log" 2>&1; then
            regress_failed=$((regress_failed + 1))
            echo "regress: $name: $f still crashes:" | tee -a "$summary"
            grep -a -E 'ERROR: |runtime error|invariant failed|SUMMARY' \
                "$OUT/logs/regress-$name-$(basename "$f").log" | head -3 | sed 's/^/    /' | tee -a "$summary"
        fi
    done
done
echo "regress: $regress_total inputs, $regress_failed failing" | tee -a "$summary"

printf '%-20s %8s %12s %9s %8s %8s\n' harness seconds executions exec/s corpus crashes | tee -a "$summary"
total_exec=0 total_crashes=0 failed=""
for name in $names; do
    work="$OUT/corpus/$name" seeds="fuzz/corpus/$name" log="$OUT/logs/$name.log"
    mkdir -p "$work" "$seeds"
    before=$(find "$OUT/artifacts" -name "$name-*" | wc -l)
    start=$(date +%s)
    # -close_fd_mask=3: the stages' own warnings on stderr would drown the
    # fuzzer; libFuzzer and the sanitizers keep a duplicate of stderr.
    # shellcheck disable=SC2086
    "$OUT/bin/$name" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -close_fd_mask=3 \
        $LIMITS -max_len=65536 -artifact_prefix="$OUT/artifacts/$name-" "$work" "$seeds" \
        >"$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(grep -a -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    execs=${execs:-0}
    rate=$(( took > 0 ? execs / took : execs ))
    corpus=$(find "$work" -type f | wc -l)
    after=$(find "$OUT/artifacts" -name "$name-*" | wc -l)
    crashes=$((after - before))
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
    printf '%-20s %8d %12d %9d %8d %8d\n' "$name" "$took" "$execs" "$rate" "$corpus" "$crashes" \
        | tee -a "$summary"
    total_exec=$((total_exec + execs))
    total_crashes=$((total_crashes + crashes))
    if [ "$crashes" -gt 0 ]; then
        failed="$failed $name"
        grep -a -E 'ERROR: |runtime error|invariant failed|SUMMARY' "$log" | head -5 | sed 's/^/    /'
    fi
done
printf '%-20s %8s %12d %9s %8s %8d\n' total "" "$total_exec" "" "" "$total_crashes" | tee -a "$summary"
status=0
if [ "$regress_failed" -gt 0 ]; then
    echo "fuzz: $regress_failed regression input(s) still crash (fuzz/regress/)" >&2
    status=1
fi
if [ -n "$failed" ]; then
    echo "fuzz: crashes in:$failed (inputs in $OUT/artifacts/, logs in $OUT/logs/)" >&2
    status=1
fi
exit $status
