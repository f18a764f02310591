#!/usr/bin/env bash
# run-tests.sh: runs every Criterion suite of the sanitizer build and the
# shell-level checks, and prints one closing line "N passed, N failed".
# Called by `make test` after both builds; exits non-zero on any failure.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PBC_ROOT="$ROOT"
export PBC_BIN="$ROOT/build/asan/bin"
export PBC_REL_BIN="$ROOT/build/rel/bin"
# Leaks fail the tests; GLib's type system keeps reachable caches, which LSan ignores.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$ROOT/scripts/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export G_SLICE=always-malloc G_DEBUG=gc-friendly

log_dir="$ROOT/build/test-logs"
rm -rf "$log_dir" && mkdir -p "$log_dir"
passed=0 failed=0 suites_failed=""
for t in build/asan/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if [ -n "${TESTS:-}" ] && [[ " $TESTS " != *" $name "* ]]; then continue; fi
    start=$(date +%s)
    "$t" --jobs 2 --timeout 300 >"$log_dir/$name.log" 2>&1
    rc=$?
    synth=$(grep -a 'Synthesis:' "$log_dir/$name.log" | tail -1)
    p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$synth")
    f=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' <<<"$synth")
    c=$(sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' <<<"$synth")
    p=${p:-0} f=${f:-0} c=${c:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$c" -eq 0 ]; then f=1; fi
    # A leak or sanitizer report anywhere in a suite's output fails it, even when
    # Criterion counted the test itself as passed.
    if grep -a -q -E 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$log_dir/$name.log"; then
        [ "$f" -eq 0 ] && f=1
        rc=1
        echo "$name: sanitizer report in its output" >&2
    fi
    passed=$((passed + p)) failed=$((failed + f + c))
    printf '%-28s %4d passed %3d failed  (%ds)\n' "$name" "$p" "$((f + c))" "$(( $(date +%s) - start ))"
    if [ "$rc" -ne 0 ]; then
        suites_failed="$suites_failed $name"
        grep -a -E '\[(FAIL|----)\]|ERROR|runtime error|LeakSanitizer|Assertion' "$log_dir/$name.log" | head -40
    fi
done
# The whole pipeline on the sample under valgrind memcheck (issue 9).
if [ -z "${PBC_SKIP_VALGRIND:-}" ] && [ -z "${TESTS:-}" ]; then
    start=$(date +%s)
    if scripts/valgrind-e2e.sh >"$log_dir/valgrind.log" 2>&1; then
        passed=$((passed + 1)); v=0
    else
        failed=$((failed + 1)); v=1
        suites_failed="$suites_failed valgrind"
        grep -v '^pbc-\|^detail' "$log_dir/valgrind.log" | tail -30
    fi
    printf '%-28s %4d passed %3d failed  (%ds)\n' "valgrind (end to end)" "$((1 - v))" "$v" \
        "$(( $(date +%s) - start ))"
fi

# Every fuzzing harness briefly, after its regression inputs (issue 9; the long
# runs are `make fuzz`).  PBC_SKIP_FUZZ=1 leaves it out.
if [ -z "${PBC_SKIP_FUZZ:-}" ] && [ -z "${TESTS:-}" ]; then
    start=$(date +%s)
    FUZZ_SECONDS=${FUZZ_SECONDS:-2} scripts/fuzz.sh >"$log_dir/fuzz.log" 2>&1
    rc=$?
    p=$(awk '$1 != "total" && NF == 6 && $2 ~ /^[0-9]+$/ && $6 == 0' "$log_dir/fuzz.log" | wc -l)
    f=$(awk '$1 != "total" && NF == 6 && $2 ~ /^[0-9]+$/ && $6 > 0' "$log_dir/fuzz.log" | wc -l)
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)) failed=$((failed + f))
    printf '%-28s %4d passed %3d failed  (%ds)\n' "fuzz (brief)" "$p" "$f" "$(( $(date +%s) - start ))"
    if [ "$rc" -ne 0 ]; then
        suites_failed="$suites_failed fuzz"
        tail -20 "$log_dir/fuzz.log"
    fi
fi

echo
if [ -n "$suites_failed" ]; then
    echo "failed suites:$suites_failed (logs in build/test-logs/)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$suites_failed" ]
