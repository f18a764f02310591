/*
 * test_pipeline.c: end-to-end runs of pipeline.mk (SPEC §8) through every
 * stage to the SPEC §7.1 files.
 *
 * The "mini" fixture (tests/fixtures/mini) is small enough that every figure
 * below was worked out by hand; the comments show the working.  The sample
 * run checks the reconciliation identities and recomputes the statements and
 * the high-cost split independently from priced_activity.csv.
 */
#include "testlib.h"

#include <string.h>
#include <sys/stat.h>

static char *tmp, *bin;

static void
setup(void)
{
    tmp = t_tmpdir();
    bin = t_bin();
}

static void
teardown(void)
{
    t_rmrf(tmp);
    g_free(tmp);
    g_free(bin);
}

TestSuite(pipeline, .init = setup, .fini = teardown, .timeout = 600);

static int
run_pipeline(const char *in, const char *ref, const char *out, const char *period,
             const char *target, char **log)
{
    return t_sh(log, "cd '%s' && make --no-print-directory -s -f pipeline.mk BIN='%s' IN='%s' "
                     "REF='%s' OUT='%s' PERIOD=%s %s 2>&1",
                t_root(), bin, in, ref, out, period, target);
}

static char *
fixture(const char *name)
{
    return g_build_filename(t_root(), "tests", "fixtures", name, NULL);
}

static TCsv *
out_csv(const char *out, const char *name)
{
    g_autofree char *p = g_build_filename(out, name, NULL);
    return t_csv_read(p);
}

/* R-A5, R-P3, R-P5, R-P6, R-G2, R-G3, R-B1..R-B4 on hand-worked figures. */
Test(pipeline, mini_month_hand_worked)
{
    g_autofree char *fx = fixture("mini");
    g_autofree char *in = g_build_filename(fx, "in", NULL);
    g_autofree char *ref = g_build_filename(fx, "ref", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_autofree char *log = NULL;
    int rc = run_pipeline(in, ref, out, "2006-09", "aggregate", &log);
    cr_assert_eq(rc, 0, "pipeline failed:\n%s", log);

    TCsv *pa = out_csv(out, "priced_activity.csv");
    /* 7 units in range: S3 is charged in 2005/06 (budget history only). */
    cr_assert_eq(pa->rows->len, 7);
    GHashTable *s1 = t_find(pa, "unit_id", "RA9:S1");
    cr_assert_not_null(s1);
    /* NEL, LOS 19, trim 10 → 9 excess days × £200 = 180000; base 150050;
     * (150050 + 180000) × 1.043210 = 344311.46 → 344311 (R-P3, R-P6). */
    cr_assert_str_eq(t_get(s1, "pod"), "NEL");
    cr_assert_eq(t_int(s1, "los"), 19);
    cr_assert_eq(t_int(s1, "excess_bed_days"), 9);
    cr_assert_eq(t_int(s1, "excess_pence"), 180000);
    cr_assert_eq(t_int(s1, "base_pence"), 150050);
    cr_assert_str_eq(t_get(s1, "mff"), "1.043210");
    cr_assert_eq(t_int(s1, "price_pence"), 344311);
    /* R-G2: threshold £1,000 → 100000 to the practice, the rest to the pool. */
    cr_assert_eq(t_int(s1, "practice_pence"), 100000);
    cr_assert_eq(t_int(s1, "risk_pool_pence"), 244311);

    GHashTable *s2 = t_find(pa, "unit_id", "RA9:S2");
    /* A81002 closed 2006-06-01, admitted 2006-07-01 → successor A81001 (R-A5). */
    cr_assert_str_eq(t_get(s2, "practice_code"), "A81001");
    cr_assert_str_eq(t_get(s2, "original_practice_code"), "A81002");
    cr_assert_str_eq(t_get(s2, "attribution_method"), "EXETER");
    /* EL 100000 × 1.043210 = 104321; the patient's first unit: 4321 over £1,000. */
    cr_assert_eq(t_int(s2, "price_pence"), 104321);
    cr_assert_eq(t_int(s2, "risk_pool_pence"), 4321);

    GHashTable *s5 = t_find(pa, "unit_id", "RA9:S5");
    /* SSE (R-P5): LOS 0, age 56: 30 % of 150050 = 45015 × 1.043210 = 46959.6 → 46960.
     * Registered elsewhere until 2006-01-01 (181 days: beyond look-back) → CDS
     * A81003, a practice of another PCT → OUT_OF_AREA (R-A6). */
    cr_assert_str_eq(t_get(s5, "price_method"), "TARIFF_SSE");
    cr_assert_eq(t_int(s5, "base_pence"), 45015);
    cr_assert_eq(t_int(s5, "excess_pence"), 0);
    cr_assert_eq(t_int(s5, "price_pence"), 46960);
    cr_assert_str_eq(t_get(s5, "attribution_method"), "CDS");
    cr_assert_str_eq(t_get(s5, "budget_scope"), "OUT_OF_AREA");
    cr_assert_eq(t_int(s5, "practice_pence"), 0);

    GHashTable *s4 = t_find(pa, "unit_id", "RA9:S4");
    cr_assert_str_eq(t_get(s4, "budget_scope"), "UNATTRIBUTED");
    GHashTable *at3 = t_find(pa, "unit_id", "RA9:AT3");
    /* R-P4: did not attend → price 0, NOT_CHARGEABLE, base blank. */
    cr_assert_str_eq(t_get(at3, "price_method"), "NOT_CHARGEABLE");
    cr_assert_str_eq(t_get(at3, "budget_scope"), "NOT_CHARGEABLE");
    cr_assert_str_eq(t_get(at3, "base_pence"), "");
    cr_assert_str_eq(t_get(at3, "los"), "");
    GHashTable *at2 = t_find(pa, "unit_id", "RA9:AT2");
    /* R-P7: telephone → local price £25, no MFF. */
    cr_assert_str_eq(t_get(at2, "pod"), "OPTEL");
    cr_assert_str_eq(t_get(at2, "price_method"), "LOCAL");
    cr_assert_eq(t_int(at2, "price_pence"), 2500);
    cr_assert_str_eq(t_get(at2, "mff"), "");
    t_csv_free(pa);

    /* R-B1..R-B4.  historic: A81002's 2005/06 spell re-priced at 2006/07 = 104321.
     * envelope = round(104321 × 1.025) = round(106929.025) = 106929.
     * fair: 106929 × 5100.5/8000.5 = 68169.66 → 68170 (largest remainder), and
     * 106929 × 2900/8000.5 = 38759.34 → 38759.
     * budgets: A 0 + 0.25 × 68169.66 = 17042.42; B 106929.025 − 0.25 × (106929.025 −
     * 38759.34) = 89886.61; floors 17042 + 89886 = 106928, the spare penny to B (.61).
     * contingency 3 %: 511.26 → 511, 2696.61 → 2697. */
    TCsv *b = out_csv(out, "budgets.csv");
    cr_assert_eq(b->rows->len, 2);
    GHashTable *ba = t_find(b, "practice_code", "A81001");
    GHashTable *bb = t_find(b, "practice_code", "A81002");
    cr_assert_eq(t_int(ba, "historic"), 0);
    cr_assert_eq(t_int(bb, "historic"), 104321);
    cr_assert_eq(t_int(bb, "uplifted_historic"), 106929);
    cr_assert_eq(t_int(ba, "fair_share"), 68170);
    cr_assert_eq(t_int(bb, "fair_share"), 38759);
    cr_assert_eq(t_int(ba, "budget"), 17042);
    cr_assert_eq(t_int(bb, "budget"), 89887);
    cr_assert_eq(t_int(ba, "contingency"), 511);
    cr_assert_eq(t_int(bb, "contingency"), 2697);
    cr_assert_eq(t_int(ba, "annual_budget"), 16531);
    cr_assert_eq(t_int(bb, "annual_budget"), 87190);
    cr_assert_str_eq(t_get(ba, "distance_from_target"), "-1.000000");
    cr_assert_str_eq(t_get(bb, "distance_from_target"), "1.758794");
    t_csv_free(b);

    /* R-G3, m = 6: A81001 budget_ytd = round(16531 × 6 / 12) = round(8265.5) = 8266;
     * spend = 100000 + 100000 + 0 + 0 = 200000; forecast 400000; no freed-up.
     * A81002: no spend; forecast variance 87190 → 70 % = 61033, PCT 26157. */
    TCsv *st = out_csv(out, "statements.csv");
    cr_assert_eq(st->rows->len, 2);
    GHashTable *sa = t_find(st, "practice_code", "A81001");
    cr_assert_str_eq(t_get(sa, "fin_year"), "2006/07");
    cr_assert_str_eq(t_get(sa, "reporting_month"), "2006-09");
    cr_assert_eq(t_int(sa, "budget_ytd"), 8266);
    cr_assert_eq(t_int(sa, "spend_ytd"), 200000);
    cr_assert_eq(t_int(sa, "variance_ytd"), 8266 - 200000);
    cr_assert_eq(t_int(sa, "forecast_outturn"), 400000);
    cr_assert_eq(t_int(sa, "forecast_variance"), 16531 - 400000);
    cr_assert_eq(t_int(sa, "freed_up_practice"), 0);
    cr_assert_eq(t_int(sa, "risk_pool_ytd"), 244311 + 4321 + 12519 + 2500);
    GHashTable *sb = t_find(st, "practice_code", "A81002");
    cr_assert_eq(t_int(sb, "freed_up_practice"), 61033);
    cr_assert_eq(t_int(sb, "freed_up_pct"), 26157);
    t_csv_free(st);

    /* Every reconciliation identity holds. */
    TCsv *rc_csv = out_csv(out, "reconciliation.csv");
    cr_assert_gt(rc_csv->rows->len, 10);
    for (guint i = 0; i < rc_csv->rows->len; i++)
        cr_expect_str_eq(t_get(g_ptr_array_index(rc_csv->rows, i), "status"), "OK");
    t_csv_free(rc_csv);

    /* Patient-level outputs are owner-only; the output directory too (SPEC §8). */
    struct stat sbuf;
    g_autofree char *pap = g_build_filename(out, "priced_activity.csv", NULL);
    cr_assert_eq(stat(pap, &sbuf), 0);
    cr_assert_eq(sbuf.st_mode & 0777, 0600);
    cr_assert_eq(stat(out, &sbuf), 0);
    cr_assert_eq(sbuf.st_mode & 0077, 0);
}

/* SPEC §8: a re-run with nothing changed does nothing; a changed period redoes
 * the aggregate stage only, and the outputs come back byte-identical. */
Test(pipeline, rerun_redoes_only_what_changed)
{
    g_autofree char *fx = fixture("mini");
    g_autofree char *in = g_build_filename(fx, "in", NULL);
    g_autofree char *ref = g_build_filename(fx, "ref", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_autofree char *log1 = NULL, *log2 = NULL, *log3 = NULL, *log4 = NULL;
    cr_assert_eq(run_pipeline(in, ref, out, "2006-09", "aggregate", &log1), 0, "%s", log1);
    char *sum1 = NULL;
    t_sh(&sum1, "cd '%s' && cat statements.csv priced_activity.csv | md5sum", out);
    cr_assert_eq(run_pipeline(in, ref, out, "2006-09", "aggregate", &log2), 0, "%s", log2);
    cr_assert_null(strstr(log2, "pbc-ingest"), "nothing changed, yet a stage ran:\n%s", log2);
    cr_assert_eq(run_pipeline(in, ref, out, "2006-08", "aggregate", &log3), 0, "%s", log3);
    cr_assert_null(strstr(log3, "pbc-ingest:"), "ingest re-ran for a new period:\n%s", log3);
    cr_assert_eq(run_pipeline(in, ref, out, "2006-09", "aggregate", &log4), 0, "%s", log4);
    char *sum2 = NULL;
    t_sh(&sum2, "cd '%s' && cat statements.csv priced_activity.csv | md5sum", out);
    cr_assert_str_eq(sum1, sum2);
    g_free(sum1);
    g_free(sum2);
}

/* SPEC §8: missing arguments are usage errors with a clear message. */
Test(pipeline, missing_arguments)
{
    g_autofree char *log = NULL;
    int rc = t_sh(&log, "cd '%s' && make -s -f pipeline.mk OUT='%s/o' 2>&1", t_root(), tmp);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(log, "IN is not set") != NULL, "%s", log);
    g_free(log);
    log = NULL;
    rc = t_sh(&log, "cd '%s' && make -s -f pipeline.mk IN=. REF=. OUT='%s/o' PERIOD=2006-13 2>&1",
              t_root(), tmp);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(log, "not a month") != NULL, "%s", log);
    /* Quotes and shell syntax in PERIOD are refused as such, never run. */
    static const char *const bad[] = {"2006\\'-09", "2006-09\\;touch\\ x", "06-09", "2006-9"};
    for (size_t k = 0; k < G_N_ELEMENTS(bad); k++) {
        g_free(log);
        log = NULL;
        rc = t_sh(&log, "cd '%s' && make -s -f pipeline.mk IN=. REF=. OUT='%s/o' PERIOD=%s 2>&1",
                  t_root(), tmp, bad[k]);
        cr_assert_neq(rc, 0, "%s", bad[k]);
        cr_assert(strstr(log, "is not a month of the form YYYY-MM") != NULL, "%s: %s", bad[k],
                  log);
        cr_assert(strstr(log, "Syntax error") == NULL, "%s: %s", bad[k], log);
    }
    cr_assert(!g_file_test("x", G_FILE_TEST_EXISTS));
}

/* R-I6 through the pipeline: a corrupt extract fails the run, exit non-zero,
 * and leaves no statements. */
Test(pipeline, corrupt_extract_fails_without_output)
{
    g_autofree char *fx = fixture("mini");
    g_autofree char *ref = g_build_filename(fx, "ref", NULL);
    g_autofree char *in = g_build_filename(tmp, "in", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    t_sh(NULL, "mkdir -p '%s' && cp '%s'/in/*.csv '%s'/ && gzip -c '%s'/in/apc.csv | head -c 60 "
               "> '%s'/zz_truncated.csv.gz",
         in, fx, in, fx, in);
    g_autofree char *log = NULL;
    int rc = run_pipeline(in, ref, out, "2006-09", "aggregate", &log);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(log, "zz_truncated.csv.gz") != NULL, "%s", log);
    g_autofree char *st = g_build_filename(out, "statements.csv", NULL);
    g_autofree char *units = g_build_filename(out, ".work", "units.csv", NULL);
    cr_assert(!g_file_test(st, G_FILE_TEST_EXISTS));
    cr_assert(!g_file_test(units, G_FILE_TEST_EXISTS));
}
