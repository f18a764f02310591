/*
 * test_bad_input.c: the bad-input corpus (issue 9), black box through the
 * stage binaries in $PBC_BIN (default build/asan/bin) and through
 * pipeline.mk with BIN=$PBC_BIN.
 *
 * tests/fixtures/bad/ holds the corpus:
 *   rows/     one extract per reject reason of R-I2 (APC, OP and A&E), each
 *             with good rows around the bad ones: the exact reason, column,
 *             line and raw record must reach rejects.csv, every good row must
 *             still become a unit, and read = accepted + superseded + rejected
 *             (R-I1);
 *   hostile/  values meant to break parsers: the calendar's ends, numbers
 *             beyond 32 and 64 bits, quotes, semicolons, commas and line ends
 *             inside codes, invalid UTF-8, NUL bytes (10 MB fields are made
 *             at run time rather than committed);
 *   fatal/    extracts that must fail the run (R-I6): corrupt, truncated and
 *             bad-CRC gzip, an empty file, a header without a dataset or with
 *             broken quoting, a missing required column;
 *   ref/      one directory per bad reference-data case, holding the files
 *             that replace the "mini" fixture's (a file DELETE lists files
 *             to remove): duplicate practice, successor cycle, negative or
 *             enormous tariff, malformed MFF, bad pbc.conf values, …
 * Every fatal case checks the exact message, the exit code (PBC_EXIT_*),
 * and that nothing finished-looking is left (no units.csv, no
 * statements.csv, no temporary file).  Bad command lines exit 2.
 *
 * Bugs this suite found are fixed and their tests kept as regressions
 * (docs/reliability.md).
 */
#include "faultshim/faultlib.h"
#include "csv_in.h"
#include "log.h"
#include "unit.h"

#include <criterion/parameterized.h>
#include <stdio.h>

static char *tmp;

static void
setup(void)
{
    pbc_log_init("test_bad_input");
    tmp = fl_tmpdir("bad-input");
    fl_snapshot_bins(tmp);
}

static void
teardown(void)
{
    fl_rm_rf(tmp);
    g_free(tmp);
}

/* No .timeout here: a per-suite or per-test timeout makes Criterion 2.4's runner
 * leak 48 bytes now and then, which fails the suite under LeakSanitizer;
 * scripts/run-tests.sh gives every suite --timeout 300. */
TestSuite(bad_input, .init = setup, .fini = teardown);

#define FIXTURES "tests/fixtures/bad"

/* --- helpers ------------------------------------------------------------------------- */

/* Units in an intermediate file, whatever its encoding (unit.h). */
static guint
count_units(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(UnitIn) in = unit_in_open(path, &err);
    cr_assert_not_null(in, "cannot read units %s: %s", path, err ? err->message : "?");
    Unit u;
    guint n = 0;
    int rc;
    while ((rc = unit_in_next(in, &u, &err)) > 0)
        n++;
    cr_assert_eq(rc, 0, "bad units file %s: %s", path, err ? err->message : "?");
    return n;
}

/* A CSV output as rows of fields (each a GPtrArray of g_strdup'ed bytes with lengths). */
typedef struct {
    GPtrArray *rows;   /* of GPtrArray of GBytes */
} Csv;

static Csv *
csv_read(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(CsvIn) in = csv_in_open(path, &err);
    cr_assert_not_null(in, "cannot open %s", path);
    Csv *c = g_new0(Csv, 1);
    c->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    int rc;
    while ((rc = csv_in_next(in, &err)) > 0) {
        cr_assert(!csv_in_broken(in), "broken quoting in output %s", path);
        GPtrArray *row = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
        for (guint i = 0; i < csv_in_count(in); i++)
            g_ptr_array_add(row, g_bytes_new(csv_in_field(in, (int)i),
                                             csv_in_field_len(in, (int)i)));
        g_ptr_array_add(c->rows, row);
    }
    cr_assert_eq(rc, 0, "cannot read %s", path);
    cr_assert_gt(c->rows->len, 0, "no header in %s", path);
    return c;
}

static void
csv_free(Csv *c)
{
    g_ptr_array_unref(c->rows);
    g_free(c);
}

/* Column index by header name. */
static guint
csv_col(const Csv *c, const char *name)
{
    GPtrArray *h = g_ptr_array_index(c->rows, 0);
    for (guint i = 0; i < h->len; i++) {
        gsize len;
        const char *s = g_bytes_get_data(g_ptr_array_index(h, i), &len);
        if (len == strlen(name) && memcmp(s, name, len) == 0)
            return i;
    }
    cr_assert_fail("no column %s", name);
    return 0;
}

/* Field of data row r (1-based: row 0 is the header) as a new NUL-terminated string. */
static char *
csv_get(const Csv *c, guint r, const char *col)
{
    GPtrArray *row = g_ptr_array_index(c->rows, r);
    guint i = csv_col(c, col);
    cr_assert_lt(i, row->len);
    gsize len;
    const char *s = g_bytes_get_data(g_ptr_array_index(row, i), &len);
    return s ? g_strndup(s, len) : g_strdup("");
}

static GBytes *
csv_bytes(const Csv *c, guint r, const char *col)
{
    GPtrArray *row = g_ptr_array_index(c->rows, r);
    return g_ptr_array_index(row, csv_col(c, col));
}

/* The data row whose column col equals value, or 0. */
static guint
csv_find(const Csv *c, const char *col, const char *value, gsize len)
{
    guint i = csv_col(c, col);
    for (guint r = 1; r < c->rows->len; r++) {
        GPtrArray *row = g_ptr_array_index(c->rows, r);
        gsize l;
        const char *s = i < row->len ? g_bytes_get_data(g_ptr_array_index(row, i), &l) : NULL;
        if (s == NULL)
            continue;
        if (l == len && memcmp(s, value, len) == 0)
            return r;
    }
    return 0;
}

static gint64
csv_int(const Csv *c, guint r, const char *col)
{
    g_autofree char *s = csv_get(c, r, col);
    return g_ascii_strtoll(s, NULL, 10);
}

/* Physical line n (1-based) of a file, without its line end. */
static GBytes *
file_line(const char *path, int n)
{
    g_autofree char *data = NULL;
    gsize len;
    cr_assert(g_file_get_contents(path, &data, &len, NULL));
    gsize start = 0;
    for (int i = 1; i < n; i++) {
        const char *nl = memchr(data + start, '\n', len - start);
        cr_assert_not_null(nl, "%s has no line %d", path, n);
        start = (gsize)(nl - data) + 1;
    }
    const char *nl = memchr(data + start, '\n', len - start);
    gsize end = nl ? (gsize)(nl - data) : len;
    if (end > start && data[end - 1] == '\r')
        end--;
    return g_bytes_new(data + start, end - start);
}

/* No hidden temporary file (".name.tmp-PID") left in dir. */
static void
assert_no_temporaries(const char *dir)
{
    g_auto(GStrv) names = fl_list(dir);
    for (char **n = names; *n; n++)
        cr_expect(!((*n)[0] == '.' && strstr(*n, ".tmp")), "temporary file %s/%s left behind",
                  dir, *n);
}

/* Runs pbc-ingest on inputs (one path) into tmp/out; returns the run. */
static void
ingest(const char *input, const char *extra, FlRun *r, char **out_dir)
{
    *out_dir = g_build_filename(tmp, "out", NULL);
    fl_rm_rf(*out_dir);
    cr_assert_eq(g_mkdir(*out_dir, 0700), 0);
    g_autofree char *bin = fl_bin("ingest");
    g_autofree char *units = g_build_filename(*out_dir, "units.csv", NULL);
    g_autofree char *rejects = g_build_filename(*out_dir, "rejects.csv", NULL);
    g_autofree char *recon = g_build_filename(*out_dir, "file_reconciliation.csv", NULL);
    char *argv[] = {bin,     "--output", units, "--rejects", rejects, "--file-reconciliation",
                    recon,   (char *)(extra ? "--reject-rate-limit" : input),
                    (char *)(extra ? extra : NULL), (char *)(extra ? input : NULL), NULL};
    fl_run(argv, NULL, -1, r);
}

/* A REF directory: the mini fixture, pbc.conf replaced when conf != NULL. */
static char *
make_ref(const char *name, const char *conf)
{
    char *ref = g_build_filename(tmp, name, NULL);
    fl_copy_dir("tests/fixtures/mini/ref", ref);
    if (conf) {
        g_autofree char *p = g_build_filename(ref, "pbc.conf", NULL);
        fl_write(p, conf, -1);
    }
    return ref;
}

/* make -f pipeline.mk with BIN=$PBC_BIN; returns make's exit status. */
static int
pipeline(const char *in, const char *ref, const char *out, FlRun *r)
{
    g_autofree char *bindir = fl_bindir();
    g_autofree char *bin_arg = g_strconcat("BIN=", bindir, NULL);
    g_autofree char *in_arg = g_strconcat("IN=", in, NULL);
    g_autofree char *ref_arg = g_strconcat("REF=", ref, NULL);
    g_autofree char *out_arg = g_strconcat("OUT=", out, NULL);
    char *argv[] = {"make", "-s", "--no-print-directory", "-f", "pipeline.mk", bin_arg, in_arg,
                    ref_arg, out_arg, "PERIOD=2006-09", NULL};
    fl_run(argv, NULL, -1, r);
    return r->status;
}

static void
assert_reconciles(const char *out)
{
    g_autofree char *p = g_build_filename(out, "reconciliation.csv", NULL);
    Csv *c = csv_read(p);
    cr_assert_gt(c->rows->len, 5);
    for (guint r = 1; r < c->rows->len; r++) {
        g_autofree char *status = csv_get(c, r, "status");
        g_autofree char *check = csv_get(c, r, "check");
        cr_expect_str_eq(status, "OK", "reconciliation check %s failed", check);
    }
    csv_free(c);
}

/* --- R-I2: every reject reason, exactly -------------------------------------------------- */

/*
 * Parameters are copied into Criterion's worker process, which runs at
 * another address (ASLR): strings are arrays in the structs, not pointers.
 */
typedef struct {
    int line;
    char reason[32];
    char column[32];
} Reject;

typedef struct {
    char file[48];         /* under tests/fixtures/bad/rows/ */
    char dataset[4];
    int read;              /* records read (R-I1) */
    int units;             /* units out: every good row */
    int nrejects;
    Reject rejects[12];
} RejectCase;

static RejectCase reject_cases[] = {
    /* R-I2 "quoting is broken": a quote after a closing quote, a quote in an unquoted field */
    {"apc_broken_quoting.csv", "APC", 4, 2, 2,
     {{3, "BROKEN_QUOTING", ""}, {4, "BROKEN_QUOTING", ""}}},
    /* R-I2 "field count differs from the header's": one short, one long */
    {"apc_field_count.csv", "APC", 4, 2, 2, {{3, "FIELD_COUNT", ""}, {4, "FIELD_COUNT", ""}}},
    /* R-I2 "a required column is blank" (spaces only is blank); optional blanks are fine */
    {"apc_missing_value.csv", "APC", 11, 2, 9,
     {{3, "MISSING_VALUE", "cds_unique_id"},
      {4, "MISSING_VALUE", "cds_update_type"},
      {5, "MISSING_VALUE", "cds_applicable_datetime"},
      {6, "MISSING_VALUE", "provider_code"},
      {7, "MISSING_VALUE", "hospital_spell_no"},
      {8, "MISSING_VALUE", "episode_no"},
      {9, "MISSING_VALUE", "admission_method"},
      {10, "MISSING_VALUE", "patient_classification"},
      {11, "MISSING_VALUE", "admission_date"}}},
    /* R-I2 "any date column, optional ones included ... does not parse or is impossible" */
    {"apc_invalid_date.csv", "APC", 11, 3, 8,
     {{3, "INVALID_DATE", "admission_date"},          /* 2006-02-30 */
      {4, "INVALID_DATE", "discharge_date"},          /* month 13 */
      {5, "INVALID_DATE", "date_of_birth"},           /* 0000-00-00 */
      {6, "INVALID_DATE", "episode_start_date"},      /* "yesterday" */
      {7, "INVALID_DATE", "episode_end_date"},        /* 31/02/2006 */
      {8, "INVALID_DATE", "cds_applicable_datetime"}, /* 25:00:00 */
      {9, "INVALID_DATE", "admission_date"},          /* 20070229, not a leap year */
      {10, "INVALID_DATE", "admission_date"}}},       /* 2006-7-1, digits missing */
    /* R-I2 "a coded column holds a value outside the lists of §3.1" */
    {"apc_invalid_code.csv", "APC", 9, 2, 7,
     {{3, "INVALID_CODE", "cds_update_type"},        /* 5 */
      {4, "INVALID_CODE", "sex"},                    /* 3 */
      {5, "INVALID_CODE", "admission_method"},       /* 99 */
      {6, "INVALID_CODE", "admission_method"},       /* 2a: codes are case-sensitive */
      {7, "INVALID_CODE", "patient_classification"}, /* 6 */
      {8, "INVALID_CODE", "patient_classification"}, /* 01 */
      {9, "INVALID_CODE", "admission_method"}}},     /* "2;1" */
    /* R-I2 "provider_code is not 3 or 5 upper-case letters or digits" */
    {"apc_invalid_provider_code.csv", "APC", 9, 2, 7,
     {{3, "INVALID_PROVIDER_CODE", "provider_code"},   /* ra9 */
      {4, "INVALID_PROVIDER_CODE", "provider_code"},   /* 4 characters */
      {5, "INVALID_PROVIDER_CODE", "provider_code"},   /* RA9; */
      {6, "INVALID_PROVIDER_CODE", "provider_code"},   /* "R A9" */
      {7, "INVALID_PROVIDER_CODE", "provider_code"},   /* 6 characters */
      {8, "INVALID_PROVIDER_CODE", "provider_code"},   /* RÉA: 3 letters, 4 bytes */
      {9, "INVALID_PROVIDER_CODE", "provider_code"}}}, /* RA9" */
    /* R-I2 "treatment_function_code, where present, is not 3 digits" */
    {"apc_invalid_treatment_function.csv", "APC", 6, 2, 4,
     {{3, "INVALID_TREATMENT_FUNCTION", "treatment_function_code"},
      {4, "INVALID_TREATMENT_FUNCTION", "treatment_function_code"},
      {5, "INVALID_TREATMENT_FUNCTION", "treatment_function_code"},
      {6, "INVALID_TREATMENT_FUNCTION", "treatment_function_code"}}},
    /* R-I2 "episode_no is not a positive integer": 0, -1, 1.5, +1, 20 digits, 1e3;
     * 4294967297 (beyond 32 bits) is a positive integer and stays */
    {"apc_invalid_episode_no.csv", "APC", 8, 2, 6,
     {{3, "INVALID_EPISODE_NO", "episode_no"},
      {4, "INVALID_EPISODE_NO", "episode_no"},
      {5, "INVALID_EPISODE_NO", "episode_no"},
      {6, "INVALID_EPISODE_NO", "episode_no"},
      {7, "INVALID_EPISODE_NO", "episode_no"},
      {8, "INVALID_EPISODE_NO", "episode_no"}}},
    /* R-I2 "discharge_date is before admission_date" (any date format); same day is fine */
    {"apc_discharge_before_admission.csv", "APC", 4, 2, 2,
     {{3, "DISCHARGE_BEFORE_ADMISSION", "discharge_date"},
      {4, "DISCHARGE_BEFORE_ADMISSION", "discharge_date"}}},
    /* OP: first_attendance, attended_or_dna, update type, TFC required (R-I2, §3.1) */
    {"op_invalid.csv", "OP", 9, 2, 7,
     {{3, "INVALID_CODE", "first_attendance"},
      {4, "INVALID_CODE", "attended_or_dna"},
      {5, "INVALID_CODE", "cds_update_type"},
      {6, "MISSING_VALUE", "treatment_function_code"},
      {7, "INVALID_TREATMENT_FUNCTION", "treatment_function_code"},
      {8, "INVALID_DATE", "appointment_date"},
      {9, "INVALID_CODE", "sex"}}},
    /* A&E: category outside 1..3, a date in none of the three formats, no attendance id */
    {"ae_invalid.csv", "AE", 6, 2, 4,
     {{3, "INVALID_CODE", "ae_attendance_category"},
      {4, "INVALID_CODE", "ae_attendance_category"},
      {5, "INVALID_DATE", "arrival_date"},
      {6, "MISSING_VALUE", "attendance_id"}}},
};

ParameterizedTestParameters(bad_input, reject_reason)
{
    return cr_make_param_array(RejectCase, reject_cases, G_N_ELEMENTS(reject_cases));
}

ParameterizedTest(RejectCase *c, bad_input, reject_reason)
{
    g_autofree char *fixture = g_build_filename(FIXTURES, "rows", c->file, NULL);
    g_autofree char *out = NULL;
    FlRun r = {0};
    ingest(fixture, "100", &r, &out);
    cr_assert_eq(r.status, 0, "%s: pbc-ingest exit %d:\n%s", c->file, r.status, r.err);
    fl_run_clear(&r);

    /* rejects.csv: exactly these rows, in file order, with the raw record. */
    g_autofree char *rp = g_build_filename(out, "rejects.csv", NULL);
    Csv *rej = csv_read(rp);
    cr_assert_eq(rej->rows->len - 1, (guint)c->nrejects, "%s: %u rejects, expected %d", c->file,
                 rej->rows->len - 1, c->nrejects);
    for (int i = 0; i < c->nrejects; i++) {
        const Reject *e = &c->rejects[i];
        guint row = (guint)i + 1;
        g_autofree char *file = csv_get(rej, row, "file");
        g_autofree char *dataset = csv_get(rej, row, "dataset");
        g_autofree char *reason = csv_get(rej, row, "reason");
        g_autofree char *column = csv_get(rej, row, "column");
        cr_expect_str_eq(file, c->file);
        cr_expect_eq(csv_int(rej, row, "line"), e->line, "%s reject %d: line", c->file, i);
        cr_expect_str_eq(dataset, c->dataset);
        cr_expect_str_eq(reason, e->reason, "%s line %d: reason %s, expected %s", c->file,
                         e->line, reason, e->reason);
        cr_expect_str_eq(column, e->column, "%s line %d: column %s, expected %s", c->file,
                         e->line, column, e->column);
        g_autoptr(GBytes) want = file_line(fixture, e->line);
        cr_expect(g_bytes_equal(csv_bytes(rej, row, "raw_record"), want),
                  "%s line %d: raw_record differs from the input line", c->file, e->line);
    }
    csv_free(rej);

    /* Every good row still comes out (R-I1). */
    g_autofree char *up = g_build_filename(out, "units.csv", NULL);
    cr_expect_eq(count_units(up), (guint)c->units, "%s: units", c->file);

    /* read = accepted + superseded + rejected, per file (R-I1). */
    g_autofree char *fp = g_build_filename(out, "file_reconciliation.csv", NULL);
    Csv *rec = csv_read(fp);
    cr_assert_eq(rec->rows->len, 2);
    cr_expect_eq(csv_int(rec, 1, "read"), c->read);
    cr_expect_eq(csv_int(rec, 1, "rejected"), c->nrejects);
    cr_expect_eq(csv_int(rec, 1, "accepted") + csv_int(rec, 1, "superseded"),
                 c->read - c->nrejects);
    csv_free(rec);
    assert_no_temporaries(out);
}

/*
 * The same corpus through pipeline.mk (rate limit raised to 100 % so the run
 * goes on): every reject is published, per-file counts match, and the run
 * reconciles to the penny (R-I1, R-G5, §7.1).
 */
Test(bad_input, every_reject_reason_through_the_pipeline)
{
    g_autofree char *in = g_build_filename(tmp, "in", NULL);
    g_autofree char *rows = g_build_filename(FIXTURES, "rows", NULL);
    fl_copy_dir(rows, in);
    g_autofree char *ref = make_ref("ref", "[pbc]\npct=5QA\nreject_rate_limit=100\n");
    g_autofree char *out = g_build_filename(tmp, "run", NULL);
    FlRun r = {0};
    cr_assert_eq(pipeline(in, ref, out, &r), 0, "pipeline failed:\n%s", r.err);
    fl_run_clear(&r);
    int total = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(reject_cases); i++)
        total += reject_cases[i].nrejects;
    g_autofree char *rp = g_build_filename(out, "rejects.csv", NULL);
    Csv *rej = csv_read(rp);
    cr_expect_eq(rej->rows->len - 1, (guint)total);
    csv_free(rej);
    g_autofree char *fp = g_build_filename(out, "file_reconciliation.csv", NULL);
    Csv *rec = csv_read(fp);
    cr_assert_eq(rec->rows->len - 1, G_N_ELEMENTS(reject_cases));
    for (size_t i = 0; i < G_N_ELEMENTS(reject_cases); i++) {
        const RejectCase *c = &reject_cases[i];
        guint row = csv_find(rec, "file", c->file, strlen(c->file));
        cr_assert_neq(row, 0, "no reconciliation row for %s", c->file);
        cr_expect_eq(csv_int(rec, row, "read"), c->read, "%s", c->file);
        cr_expect_eq(csv_int(rec, row, "rejected"), c->nrejects, "%s", c->file);
    }
    csv_free(rec);
    assert_reconciles(out);
    assert_no_temporaries(out);
}

/* --- hostile values -------------------------------------------------------------------------- */

/* Runs the pipeline on one hostile fixture (rate limit 100 %, threshold £1,000). */
static char *
hostile_run(const char *fixture)
{
    g_autofree char *in = g_build_filename(tmp, "in", NULL);
    g_mkdir_with_parents(in, 0700);
    g_autofree char *src = g_build_filename(FIXTURES, "hostile", fixture, NULL);
    g_autofree char *dst = g_build_filename(in, fixture, NULL);
    fl_copy_file(src, dst);
    g_autofree char *ref =
        make_ref("ref", "[pbc]\npct=5QA\nhigh_cost_threshold=1000\nreject_rate_limit=100\n");
    char *out = g_build_filename(tmp, "run", NULL);
    FlRun r = {0};
    cr_assert_eq(pipeline(in, ref, out, &r), 0, "pipeline failed on %s:\n%s", fixture, r.err);
    fl_run_clear(&r);
    assert_reconciles(out);
    assert_no_temporaries(out);
    return out;
}

static void
expect_rejects(const char *out, const Reject *want, int n)
{
    g_autofree char *rp = g_build_filename(out, "rejects.csv", NULL);
    Csv *rej = csv_read(rp);
    cr_expect_eq(rej->rows->len - 1, (guint)n, "%u rejects, expected %d", rej->rows->len - 1, n);
    for (int i = 0; i < n && (guint)i + 1 < rej->rows->len; i++) {
        g_autofree char *reason = csv_get(rej, (guint)i + 1, "reason");
        g_autofree char *column = csv_get(rej, (guint)i + 1, "column");
        cr_expect_eq(csv_int(rej, (guint)i + 1, "line"), want[i].line);
        cr_expect_str_eq(reason, want[i].reason, "line %d", want[i].line);
        cr_expect_str_eq(column, want[i].column, "line %d", want[i].line);
    }
    csv_free(rej);
}

/*
 * The calendar's ends and numbers beyond 32 bits, through every stage:
 * 0000-00-00 is no date (R-I2); 0001-01-01 to 2006-07-01 is a stay of
 * 732,492 days (Python: (date(2006,7,1) - date(1,1,1)).days) and is paid:
 * 732,487 excess days × £200 = 14,649,740,000p; (100,000 + 14,649,740,000)
 * × 1.043210 = 15,282,859,586.4 → 15,282,859,586p (R-P3, R-P6); it is the
 * patient's first charge, so £1,000 to the practice and the rest to the
 * risk pool (R-G2).  An episode numbered 4294967297 is the spell's highest
 * (R-I4: discharge 2006-07-10 from it, LOS 9), not 1 as a 32-bit wrap would
 * make it.  9999-12-31 is a date, outside the run.
 */
Test(bad_input, hostile_extremes)
{
    g_autofree char *out = hostile_run("apc_extremes.csv");
    const Reject want[] = {{2, "INVALID_DATE", "date_of_birth"},
                           {7, "INVALID_EPISODE_NO", "episode_no"},
                           {8, "INVALID_EPISODE_NO", "episode_no"}};
    expect_rejects(out, want, G_N_ELEMENTS(want));
    g_autofree char *pp = g_build_filename(out, "priced_activity.csv", NULL);
    Csv *pa = csv_read(pp);
    guint x2 = csv_find(pa, "unit_id", "RA9:SX2", 7);
    cr_assert_neq(x2, 0);
    cr_expect_eq(csv_int(pa, x2, "los"), 732492);
    cr_expect_eq(csv_int(pa, x2, "excess_bed_days"), 732487);
    cr_expect_eq(csv_int(pa, x2, "excess_pence"), 14649740000LL);
    cr_expect_eq(csv_int(pa, x2, "price_pence"), 15282859586LL);
    cr_expect_eq(csv_int(pa, x2, "practice_pence"), 100000);
    cr_expect_eq(csv_int(pa, x2, "risk_pool_pence"), 15282859586LL - 100000);
    guint x4 = csv_find(pa, "unit_id", "RA9:SX4", 7);
    cr_assert_neq(x4, 0);
    cr_expect_eq(csv_int(pa, x4, "los"), 9);
    /* (100000 + 4 × 20000) × 1.043210 = 187777.8 → 187778 */
    cr_expect_eq(csv_int(pa, x4, "price_pence"), 187778);
    cr_expect_eq(csv_find(pa, "unit_id", "RA9:SX3", 7), 0, "a 9999 spell is outside 2006/07");
    cr_expect_neq(csv_find(pa, "unit_id", "RA9:SX8", 7), 0);
    csv_free(pa);
}

/*
 * Quotes, semicolons, commas and a line end inside identifiers survive every
 * stage byte for byte (CSV quoting on output, §7.1); in validated columns
 * they are rejects (R-I2); the practice code is "as recorded".
 */
Test(bad_input, hostile_quotes_and_semicolons)
{
    g_autofree char *out = hostile_run("apc_quotes.csv");
    const Reject want[] = {{5, "INVALID_PROVIDER_CODE", "provider_code"},
                           {6, "INVALID_CODE", "admission_method"},
                           {7, "INVALID_CODE", "sex"}};
    expect_rejects(out, want, G_N_ELEMENTS(want));
    g_autofree char *pp = g_build_filename(out, "priced_activity.csv", NULL);
    Csv *pa = csv_read(pp);
    const char *id1 = "RA9:S\"1;2,3";
    guint q1 = csv_find(pa, "unit_id", id1, strlen(id1));
    cr_expect_neq(q1, 0, "unit %s lost", id1);
    const char *id2 = "RA9:S2\nnext line";
    guint q2 = csv_find(pa, "unit_id", id2, strlen(id2));
    cr_assert_neq(q2, 0, "unit with a line end in its spell number lost");
    g_autofree char *cds = csv_get(pa, q2, "cds_practice_code");
    cr_expect_str_eq(cds, "A81001;DROP TABLE x");
    guint q6 = csv_find(pa, "unit_id", "RA9:SQ6", 7);
    cr_assert_neq(q6, 0);
    g_autofree char *hrg = csv_get(pa, q6, "hrg");
    cr_expect_str_eq(hrg, "H01,\"x\"");
    csv_free(pa);
}

/* Invalid UTF-8: a reject where the column is validated, carried unchanged elsewhere. */
Test(bad_input, hostile_invalid_utf8)
{
    g_autofree char *out = hostile_run("apc_utf8.csv");
    const Reject want[] = {{2, "INVALID_PROVIDER_CODE", "provider_code"},
                           {4, "INVALID_CODE", "admission_method"}};
    expect_rejects(out, want, G_N_ELEMENTS(want));
    /* The reject keeps the raw bytes, invalid or not. */
    g_autofree char *fixture = g_build_filename(FIXTURES, "hostile", "apc_utf8.csv", NULL);
    g_autofree char *rp = g_build_filename(out, "rejects.csv", NULL);
    Csv *rej = csv_read(rp);
    g_autoptr(GBytes) line2 = file_line(fixture, 2);
    cr_expect(g_bytes_equal(csv_bytes(rej, 1, "raw_record"), line2));
    csv_free(rej);
    g_autofree char *pp = g_build_filename(out, "priced_activity.csv", NULL);
    Csv *pa = csv_read(pp);
    const char id[] = "RA9:SU2\xe2\x82";
    cr_expect_neq(csv_find(pa, "unit_id", id, sizeof id - 1), 0, "unit with invalid UTF-8 lost");
    csv_free(pa);
}

/* NUL bytes never crash a stage, and every row is accounted for (R-I1). */
Test(bad_input, hostile_nul_bytes_accounted)
{
    g_autofree char *fixture = g_build_filename(FIXTURES, "hostile", "apc_nul.csv", NULL);
    g_autofree char *out = NULL;
    FlRun r = {0};
    ingest(fixture, "100", &r, &out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    fl_run_clear(&r);
    g_autofree char *fp = g_build_filename(out, "file_reconciliation.csv", NULL);
    Csv *rec = csv_read(fp);
    cr_expect_eq(csv_int(rec, 1, "read"), 6);
    cr_expect_eq(csv_int(rec, 1, "accepted") + csv_int(rec, 1, "superseded")
                     + csv_int(rec, 1, "rejected"),
                 6);
    csv_free(rec);
    g_autofree char *units = g_build_filename(out, "units.csv", NULL);
    cr_expect_geq(count_units(units), 1);
}

/*
 * R-I2: a NUL byte inside a validated value makes it invalid: "RA9\0XX" is
 * not 3 or 5 letters or digits, "2006-07-01\0junk" is not a date.  Today
 * csv_in hands the field to extract.c as a C string, so the NUL truncates
 * it, and the row was once silently accepted as RA9, 2006-07-01, episode 1 …
 * extract_next() now compares csv_in_field_len() with strlen().
 */
Test(bad_input, hostile_nul_bytes_rejected)
{
    g_autofree char *fixture = g_build_filename(FIXTURES, "hostile", "apc_nul.csv", NULL);
    g_autofree char *out = NULL;
    FlRun r = {0};
    ingest(fixture, "100", &r, &out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    fl_run_clear(&r);
    const Reject want[] = {{2, "INVALID_PROVIDER_CODE", "provider_code"},
                           {3, "INVALID_DATE", "admission_date"},
                           {4, "INVALID_EPISODE_NO", "episode_no"},
                           {5, "INVALID_CODE", "admission_method"},
                           {6, "INVALID_TREATMENT_FUNCTION", "treatment_function_code"}};
    expect_rejects(out, want, G_N_ELEMENTS(want));
    g_autofree char *units = g_build_filename(out, "units.csv", NULL);
    cr_expect_eq(count_units(units), 1);
}

/*
 * 10 MB fields (made here, not committed): a 10 MB HRG and a 10 MB quoted
 * cds_unique_id full of commas, quotes and line ends are carried; a 10 MB
 * provider code is a reject whose raw record is kept whole.  The run must
 * stay linear (a quadratic reader took minutes under ASan; this one ~1 s,
 * so a minute is a generous bound) and exact.
 */
Test(bad_input, hostile_10mb_fields)
{
    const gsize big = 10u << 20;
    GString *s = g_string_new("cds_unique_id,cds_update_type,cds_applicable_datetime,"
                              "provider_code,nhs_number,gp_practice_code,hospital_spell_no,"
                              "episode_no,admission_method,patient_classification,"
                              "admission_date,discharge_date,spell_hrg\n");
    g_string_append(s, "E1,9,2006-05-01,RA9,9434765919,A81001,S1,1,11,1,2006-07-01,2006-07-03,");
    for (gsize i = 0; i < big; i++)
        g_string_append_c(s, (char)('A' + i % 26));
    g_string_append(s, "\n\"");
    for (gsize i = 0; i < big; i++)
        g_string_append(s, i % 1000 == 0 ? "\"\"" : i % 777 == 0 ? "\n" : i % 3 ? "x" : ",");
    g_string_append(s, "\",9,2006-05-01,RA9,9434765919,A81001,S2,1,11,1,2006-07-01,2006-07-03,H01\n");
    g_string_append(s, "E3,9,2006-05-01,RA");
    for (gsize i = 0; i < big; i++)
        g_string_append_c(s, '9');
    g_string_append(s, ",9434765919,A81001,S3,1,11,1,2006-07-01,2006-07-03,H01\n");
    g_string_append(s, "E4,9,2006-05-01,RA9,9434765919,A81001,S4,1,11,1,2006-07-01,2006-07-03,H01\n");
    g_autofree char *in = g_build_filename(tmp, "in", NULL);
    g_mkdir_with_parents(in, 0700);
    g_autofree char *file = g_build_filename(in, "big.csv", NULL);
    fl_write(file, s->str, (gssize)s->len);
    g_string_free(s, TRUE);

    g_autofree char *out = NULL;
    FlRun r = {0};
    gint64 t0 = g_get_monotonic_time();
    ingest(file, "100", &r, &out);
    gint64 took = g_get_monotonic_time() - t0;
    cr_assert_eq(r.status, 0, "%s", r.err);
    fl_run_clear(&r);
    fprintf(stderr, "bad_input: 30 MB of 10 MB fields ingested in %" G_GINT64_FORMAT " ms\n",
            took / 1000);
    cr_expect_lt(took, 60 * G_USEC_PER_SEC, "10 MB fields took %" G_GINT64_FORMAT " s",
                 took / G_USEC_PER_SEC);
    g_autofree char *units = g_build_filename(out, "units.csv", NULL);
    cr_expect_eq(count_units(units), 3);
    g_autofree char *rp = g_build_filename(out, "rejects.csv", NULL);
    Csv *rej = csv_read(rp);
    cr_assert_eq(rej->rows->len, 2);
    g_autofree char *reason = csv_get(rej, 1, "reason");
    cr_expect_str_eq(reason, "INVALID_PROVIDER_CODE");
    cr_expect_gt(g_bytes_get_size(csv_bytes(rej, 1, "raw_record")), big);
    csv_free(rej);
}

/* --- fatal: R-I5, rejects over the limit ------------------------------------------------------ */

static const char ae_header[] = "cds_unique_id,cds_update_type,cds_applicable_datetime,"
                                "provider_code,attendance_id,arrival_date,ae_attendance_category\n";

/* a.csv: 1 of 4 rows rejected; b.csv: 3 of 4. */
static char *
over_limit_inputs(void)
{
    char *in = g_build_filename(tmp, "in", NULL);
    g_mkdir_with_parents(in, 0700);
    g_autofree char *a = g_build_filename(in, "a.csv", NULL);
    g_autofree char *b = g_build_filename(in, "b.csv", NULL);
    g_autofree char *ta = g_strconcat(ae_header, "A1,9,2006-05-01,RA9,X1,2006-05-01,1\n",
                                      "A2,9,2006-05-01,RA9,X2,2006-05-01,1\n",
                                      "A3,9,2006-05-01,RA9,X3,2006-05-01,1\n",
                                      "A4,9,2006-05-01,RA9,X4,2006-05-01,9\n", NULL);
    g_autofree char *tb = g_strconcat(ae_header, "B1,9,2006-05-01,RA9,Y1,2006-05-01,7\n",
                                      "B2,9,2006-05-01,RA9,Y2,2006-05-01,8\n",
                                      "B3,9,2006-05-01,RA9,Y3,2006-05-01,9\n",
                                      "B4,9,2006-05-01,RA9,Y4,2006-05-01,1\n", NULL);
    fl_write(a, ta, -1);
    fl_write(b, tb, -1);
    return in;
}

/*
 * R-I5: 4 of 8 rows rejected against the default 1 %: exit 1, the worst
 * files named worst first, no units (the rejects file is kept on purpose,
 * so the cause can be read: README "ingest").
 */
Test(bad_input, rejects_over_the_limit)
{
    g_autofree char *in = over_limit_inputs();
    g_autofree char *out = NULL;
    FlRun r = {0};
    ingest(in, NULL, &r, &out);
    cr_expect_eq(r.status, 1, "exit %d:\n%s", r.status, r.err);
    cr_expect(strstr(r.err, "pbc-ingest: error: rejected rows exceed the limit: 4 of 8 rows "
                            "read (50.00%), limit 1%\n"
                            "detail: worst files: \"b.csv\" 3 of 4; \"a.csv\" 1 of 4\n")
                  != NULL,
              "%s", r.err);
    fl_run_clear(&r);
    g_autofree char *units = g_build_filename(out, "units.csv", NULL);
    cr_expect(!fl_exists(units), "units.csv written although the run failed (R-I5)");
    assert_no_temporaries(out);
}

/* R-I5 through pipeline.mk: make fails with the stage's exit 1 and nothing is published. */
Test(bad_input, rejects_over_the_limit_pipeline)
{
    g_autofree char *in = over_limit_inputs();
    g_autofree char *ref = make_ref("ref", NULL);
    g_autofree char *out = g_build_filename(tmp, "run", NULL);
    FlRun r = {0};
    cr_expect_neq(pipeline(in, ref, out, &r), 0);
    cr_expect(strstr(r.err, "pbc-ingest: error: rejected rows exceed the limit") != NULL, "%s",
              r.err);
    cr_expect(strstr(r.err, "] Error 1") != NULL, "the stage's exit 1 is not reported:\n%s",
              r.err);
    fl_run_clear(&r);
    g_autofree char *units = g_build_filename(out, ".work", "units.csv", NULL);
    g_autofree char *st = g_build_filename(out, "statements.csv", NULL);
    cr_expect(!fl_exists(units));
    cr_expect(!fl_exists(st));
}

/* --- fatal: R-I6, the file's name and the reason --------------------------------------------- */

typedef struct {
    char file[48];         /* under tests/fixtures/bad/fatal/ */
    char message[128];     /* after 'pbc-ingest: error: ', with %s for the path */
} FatalCase;

static FatalCase fatal_cases[] = {
    /* zlib's own words follow; the stable part is ours */
    {"corrupt.csv.gz", "could not read file \"%s\": corrupt gzip stream: "},
    {"bad_crc.csv.gz", "could not read file \"%s\": corrupt gzip stream: "},
    {"truncated.csv.gz", "could not read file \"%s\": truncated gzip stream: "},
    {"empty.csv", "file \"%s\" is empty: no header row\n"},
    {"header_broken_quoting.csv", "file \"%s\": broken quoting in the header row\n"},
    {"no_dataset.csv", "file \"%s\": cannot tell its dataset from the header\n"},
    {"missing_column.csv", "file \"%s\": missing required column \"admission_date\" of an APC "
                           "extract\n"},
};

ParameterizedTestParameters(bad_input, fatal_extract)
{
    return cr_make_param_array(FatalCase, fatal_cases, G_N_ELEMENTS(fatal_cases));
}

/* R-I6: exit 3, the message names the file and the reason, no units, no temporaries. */
ParameterizedTest(FatalCase *c, bad_input, fatal_extract)
{
    g_autofree char *fixture = g_build_filename(FIXTURES, "fatal", c->file, NULL);
    g_autofree char *out = NULL;
    FlRun r = {0};
    ingest(fixture, "100", &r, &out);
    cr_expect_eq(r.status, 3, "%s: exit %d:\n%s", c->file, r.status, r.err);
    g_autofree char *msg = g_strdup_printf(c->message, fixture);
    g_autofree char *line = g_strconcat("pbc-ingest: error: ", msg, NULL);
    cr_expect(strstr(r.err, line) != NULL, "%s: expected\n%s\ngot\n%s", c->file, line, r.err);
    fl_run_clear(&r);
    g_autofree char *units = g_build_filename(out, "units.csv", NULL);
    cr_expect(!fl_exists(units), "%s: units.csv left by a failed run", c->file);
    assert_no_temporaries(out);
}

/* R-I6 through pipeline.mk, a bad file among good ones: nothing published. */
ParameterizedTestParameters(bad_input, fatal_extract_pipeline)
{
    return cr_make_param_array(FatalCase, fatal_cases, G_N_ELEMENTS(fatal_cases));
}

ParameterizedTest(FatalCase *c, bad_input, fatal_extract_pipeline)
{
    g_autofree char *in = g_build_filename(tmp, "in", NULL);
    fl_copy_dir("tests/fixtures/mini/in", in);
    g_autofree char *src = g_build_filename(FIXTURES, "fatal", c->file, NULL);
    g_autofree char *dst = g_build_filename(in, c->file, NULL);
    fl_copy_file(src, dst);
    g_autofree char *ref = make_ref("ref", NULL);
    g_autofree char *out = g_build_filename(tmp, "run", NULL);
    FlRun r = {0};
    cr_expect_neq(pipeline(in, ref, out, &r), 0);
    g_autofree char *msg = g_strdup_printf(c->message, dst);
    cr_expect(strstr(r.err, msg) != NULL, "%s: expected\n%s\ngot\n%s", c->file, msg, r.err);
    cr_expect(strstr(r.err, "] Error 3") != NULL, "%s", r.err);
    fl_run_clear(&r);
    g_autofree char *units = g_build_filename(out, ".work", "units.csv", NULL);
    g_autofree char *st = g_build_filename(out, "statements.csv", NULL);
    cr_expect(!fl_exists(units));
    cr_expect(!fl_exists(st));
}

/* R-I6 "an unreadable file": open() fails with EACCES (the fault shim; root reads anything). */
Test(bad_input, unreadable_extract)
{
    g_autofree char *in = g_build_filename(tmp, "in", NULL);
    fl_copy_dir("tests/fixtures/mini/in", in);
    g_autofree char *so = fl_build_shim(tmp);
    g_autofree char *pre = fl_shim_env_preload(so);
    g_autofree char *asan = fl_shim_env_asan();
    const char *env[] = {pre, asan, "FAULTSHIM_OPEN_FAIL=op.csv", NULL};
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_mkdir_with_parents(out, 0700);
    g_autofree char *bin = fl_bin("ingest");
    g_autofree char *units = g_build_filename(out, "units.csv", NULL);
    char *argv[] = {bin, "--output", units, in, NULL};
    FlRun r = {0};
    fl_run(argv, env, -1, &r);
    cr_expect_eq(r.status, 3, "%s", r.err);
    g_autofree char *line = g_strdup_printf("pbc-ingest: error: could not open file \"%s/op.csv\": "
                                            "Permission denied\n",
                                            in);
    cr_expect(strstr(r.err, line) != NULL, "expected\n%s\ngot\n%s", line, r.err);
    fl_run_clear(&r);
    cr_expect(!fl_exists(units));
    assert_no_temporaries(out);
}

/* --- fatal: bad reference data ------------------------------------------------------------------- */

typedef struct {
    char dir[48];          /* under tests/fixtures/bad/ref/ */
    char stage[16];        /* the first stage that reads the file */
    char message[200];     /* after 'pbc-<stage>: error: ', %s for the REF directory */
    char sentinel[32];     /* the failing stage's output, relative to OUT */
} RefCase;

static RefCase ref_cases[] = {
    {"duplicate_practice", "attribute",
     "file \"%s/practices.csv\" line 4 column \"practice_code\": duplicate practice code "
     "\"A81001\"",
     ".work/attributed.csv"},
    {"successor_cycle", "attribute",
     "file \"%s/practices.csv\": successor cycle among closed practices: A81001 -> A81002 -> "
     "A81001",
     ".work/attributed.csv"},
    {"practice_bad_date", "attribute",
     "file \"%s/practices.csv\" line 2 column \"close_date\": invalid date \"2006-02-30\"",
     ".work/attributed.csv"},
    {"missing_practices", "attribute",
     "could not open file \"%s/practices.csv\": No such file or directory", ".work/attributed.csv"},
    {"registrations_missing_column", "attribute",
     "file \"%s/registrations.csv\": missing required column \"practice_code\"",
     ".work/attributed.csv"},
    {"negative_tariff", "price",
     "file \"%s/tariff_apc.csv\" line 2 column \"elective_tariff\": negative price \"-1000.00\"",
     ".work/priced.csv"},
    {"tariff_three_decimals", "price",
     "file \"%s/tariff_apc.csv\" line 2 column \"elective_tariff\": invalid price \"1000.005\"",
     ".work/priced.csv"},
    /* beyond decimal.h's ±9e15 pence: refused, never wrapped */
    {"tariff_enormous", "price",
     "file \"%s/tariff_apc.csv\" line 2 column \"elective_tariff\": invalid price "
     "\"90000000000000000.00\"",
     ".work/priced.csv"},
    /* a trim point beyond 32 bits */
    {"trim_overflow", "price",
     "file \"%s/tariff_apc.csv\" line 2 column \"elective_trim_days\": invalid number "
     "\"4294967297\"",
     ".work/priced.csv"},
    {"duplicate_tariff", "price",
     "file \"%s/tariff_op.csv\" line 3 column \"treatment_function_code\": duplicate key "
     "\"2006/07, 100\" (first defined on line 2)",
     ".work/priced.csv"},
    {"bad_fin_year", "price",
     "file \"%s/tariff_ae.csv\" line 2 column \"fin_year\": invalid financial year \"2006/08\"",
     ".work/priced.csv"},
    {"malformed_mff", "price",
     "file \"%s/mff.csv\" line 2 column \"mff\": invalid market forces factor \"1.04.32\"",
     ".work/priced.csv"},
    {"mff_too_many_places", "price",
     "file \"%s/mff.csv\" line 2 column \"mff\": invalid market forces factor \"1.0432101\"",
     ".work/priced.csv"},
    {"mff_out_of_range", "price",
     "file \"%s/mff.csv\" line 2 column \"mff\": market forces factor \"104.321\" out of range "
     "(0.5 to 2.0)",
     ".work/priced.csv"},
    {"mff_field_count", "price", "file \"%s/mff.csv\" line 2: 4 fields where the header has 3",
     ".work/priced.csv"},
    {"missing_column_mff", "price", "file \"%s/mff.csv\": missing required column \"provider_code\"",
     ".work/priced.csv"},
    {"missing_tariff_params", "price",
     "missing reference file \"%s/tariff_params.csv\" (or \"tariff_params.csv.gz\")",
     ".work/priced.csv"},
    {"population_negative", "aggregate",
     "file \"%s/populations.csv\" line 2 column \"weighted_population\": invalid value "
     "\"-5100.5\"",
     "statements.csv"},
    {"population_duplicate", "aggregate",
     "file \"%s/populations.csv\" line 3: duplicate row for practice \"A81001\" year 2006/07",
     "statements.csv"},
    {"budget_negative", "aggregate",
     "file \"%s/budgets.csv\" line 2 column \"annual_budget\": invalid value \"-100\"",
     "statements.csv"},
    /* pbc.conf: ingest reads it first (reject_rate_limit) */
    {"conf_bad_pace", "ingest",
     "file \"%s/pbc.conf\": invalid value \"1.5\" for key \"pace\" in group [pbc]",
     ".work/units.csv"},
    {"conf_bad_share", "ingest",
     "file \"%s/pbc.conf\": invalid value \"seventy\" for key \"freed_up_share\" in group [pbc]",
     ".work/units.csv"},
    {"conf_bad_limit", "ingest",
     "file \"%s/pbc.conf\": invalid value \"-1\" for key \"reject_rate_limit\" in group [pbc]",
     ".work/units.csv"},
    {"conf_bad_lookback", "ingest",
     "file \"%s/pbc.conf\": invalid value \"4294967297\" for key \"lookback_days\" in group [pbc]",
     ".work/units.csv"},
    {"conf_bad_threshold", "ingest",
     "file \"%s/pbc.conf\": invalid value \"15,000\" for key \"high_cost_threshold\" in group "
     "[pbc]",
     ".work/units.csv"},
    {"conf_no_group", "ingest", "could not read file \"%s/pbc.conf\": ", ".work/units.csv"},
    {"conf_syntax", "ingest", "could not read file \"%s/pbc.conf\": ", ".work/units.csv"},
};

ParameterizedTestParameters(bad_input, bad_reference_data)
{
    return cr_make_param_array(RefCase, ref_cases, G_N_ELEMENTS(ref_cases));
}

/*
 * Bad reference data fails the run (tariff.h, practice.h, population.h,
 * conf.h): the first stage to read the file exits 3 (make reports "Error 3"
 * and fails), its message names the file, line, column and value, and
 * neither its output nor statements.csv exists.
 */
ParameterizedTest(RefCase *c, bad_input, bad_reference_data)
{
    g_autofree char *ref = make_ref("ref", NULL);
    g_autofree char *overlay = g_build_filename(FIXTURES, "ref", c->dir, NULL);
    g_auto(GStrv) names = fl_list(overlay);
    for (char **n = names; *n; n++) {
        g_autofree char *src = g_build_filename(overlay, *n, NULL);
        g_autofree char *data = NULL;
        gsize len;
        cr_assert(g_file_get_contents(src, &data, &len, NULL));
        if (strcmp(*n, "DELETE") == 0) {
            g_auto(GStrv) del = g_strsplit(g_strstrip(data), "\n", -1);
            for (char **d = del; *d; d++) {
                g_autofree char *p = g_build_filename(ref, *d, NULL);
                g_unlink(p);
            }
            continue;
        }
        g_autofree char *dst = g_build_filename(ref, *n, NULL);
        fl_write(dst, data, (gssize)len);
    }
    g_autofree char *in = g_build_filename(tmp, "in", NULL);
    fl_copy_dir("tests/fixtures/mini/in", in);
    g_autofree char *out = g_build_filename(tmp, "run", NULL);
    FlRun r = {0};
    cr_expect_neq(pipeline(in, ref, out, &r), 0, "%s: the run succeeded", c->dir);
    g_autofree char *msg = g_strdup_printf(c->message, ref);
    g_autofree char *line = g_strdup_printf("pbc-%s: error: %s", c->stage, msg);
    cr_expect(strstr(r.err, line) != NULL, "%s: expected\n%s\ngot\n%s", c->dir, line, r.err);
    cr_expect(strstr(r.err, "] Error 3") != NULL, "%s: pbc-%s did not exit 3:\n%s", c->dir,
              c->stage, r.err);
    fl_run_clear(&r);
    g_autofree char *sentinel = g_build_filename(out, c->sentinel, NULL);
    g_autofree char *st = g_build_filename(out, "statements.csv", NULL);
    cr_expect(!fl_exists(sentinel), "%s: %s left by a failed run", c->dir, c->sentinel);
    cr_expect(!fl_exists(st), "%s: statements.csv left by a failed run", c->dir);
    assert_no_temporaries(out);
    g_autofree char *work = g_build_filename(out, ".work", NULL);
    assert_no_temporaries(work);
}

/* --- bad command lines: exit 2, a message and a hint ---------------------------------------------- */

typedef struct {
    char stage[16];
    char args[10][40];     /* "" ends the list */
    char message[96];      /* the error line after 'pbc-<stage>: error: ' */
} UsageCase;

static UsageCase usage_cases[] = {
    {"ingest", {"--bogus", "x"}, "Unknown option --bogus"},
    {"ingest", {""}, "no input files or directory given"},
    {"ingest", {"--reject-rate-limit", "101", "in"},
     "invalid reject rate limit \"101\": expected a percentage from 0 to 100"},
    {"ingest", {"--reject-rate-limit", "-0.5", "in"},
     "invalid reject rate limit \"-0.5\": expected a percentage from 0 to 100"},
    {"ingest", {"-o"}, "Missing argument for -o"},
    {"attribute", {""}, "no reference directory given: use --ref DIR"},
    {"attribute", {"--ref", "tests/fixtures/mini/ref", "a", "b"}, "too many inputs: \"a\", \"b\""},
    {"attribute", {"--bogus"}, "Unknown option --bogus"},
    {"price", {""}, "no reference directory given (-r DIR)"},
    {"price", {"--ref", "tests/fixtures/mini/ref", "--tariff-year", "2006/08", "x"},
     "invalid financial year \"2006/08\" (expected e.g. 2007/08)"},
    {"price", {"--ref", "tests/fixtures/mini/ref", "a", "b"},
     "too many arguments: only one INPUT file"},
    {"aggregate", {""}, "--ref, --work, --output-dir and --period are required"},
    {"aggregate", {"--ref", "r", "--work", "w", "--output-dir", "o", "--period", "2006-09", "x"},
     "unexpected argument \"x\""},
    {"aggregate", {"--nope"}, "Unknown option --nope"},
};

ParameterizedTestParameters(bad_input, bad_command_line)
{
    return cr_make_param_array(UsageCase, usage_cases, G_N_ELEMENTS(usage_cases));
}

static void
check_usage(const UsageCase *c)
{
    g_autofree char *bin = fl_bin(c->stage);
    char *argv[12] = {bin};
    for (int i = 0; i < 10 && c->args[i][0]; i++)
        argv[i + 1] = (char *)c->args[i];
    FlRun r = {0};
    fl_run(argv, NULL, -1, &r);
    cr_expect_eq(r.status, 2, "pbc-%s %s: exit %d:\n%s", c->stage, c->args[0],
                 r.status, r.err);
    g_autofree char *line = g_strdup_printf("pbc-%s: error: %s\n", c->stage, c->message);
    cr_expect(strstr(r.err, line) != NULL, "expected\n%s\ngot\n%s", line, r.err);
    g_autofree char *hint = g_strdup_printf("hint: try \"pbc-%s --help\"", c->stage);
    cr_expect(strstr(r.err, hint) != NULL, "no --help hint:\n%s", r.err);
    fl_run_clear(&r);
}

ParameterizedTest(UsageCase *c, bad_input, bad_command_line)
{
    check_usage(c);
}

/*
 * --period is a command-line value: a bad one is a usage error (exit 2), not
 * bad input (3): aggregate/main.c checks it with month_parse() first.
 */
Test(bad_input, aggregate_bad_period_is_usage)
{
    const UsageCase c = {"aggregate",
                         {"--ref", "r", "--work", "w", "--output-dir", "o", "--period", "2006-13"},
                         "invalid period \"2006-13\": expected a month as YYYY-MM"};
    check_usage(&c);
}
