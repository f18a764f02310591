/*
 * test_ingest_cli.c: pbc-ingest as a black box (ingest/main.c; R-I1..R-I6).
 *
 * Runs $PBC_BIN/pbc-ingest (a directory; default build/asan/bin) on extracts
 * written under a g_dir_make_tmp() directory and checks exit codes (0 ok,
 * 1 rejects over the limit, 2 usage, 3 unreadable or corrupt input), exact
 * error messages, and the outputs: units (read back with unit_in_next(),
 * whatever their on-disk form), rejects.csv, the per-file reconciliation and
 * file modes.  An ASan build also fails a run that leaks (exit 23).
 */
#include "csv_in.h"
#include "log.h"
#include "unit.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

static char *dir;  /* per test: in/, out/ and ref/ below it */
static char *bin;
static char *in_dir, *out_dir, *ref_dir;

static void
rm_rf(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(path, n, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                rm_rf(p);
            else
                g_unlink(p);
        }
        g_dir_close(d);
    }
    g_rmdir(path);
}

static void
setup(void)
{
    pbc_log_init("test_ingest_cli");
    const char *b = g_getenv("PBC_BIN");
    bin = g_build_filename(b && *b ? b : "build/asan/bin", "pbc-ingest", NULL);
    cr_assert(g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE), "no binary %s (make asan)", bin);
    dir = g_dir_make_tmp("pbc-ingest-cli-XXXXXX", NULL);
    cr_assert_not_null(dir);
    in_dir = g_build_filename(dir, "in", NULL);
    out_dir = g_build_filename(dir, "out", NULL);
    ref_dir = g_build_filename(dir, "ref", NULL);
    cr_assert(g_mkdir(in_dir, 0700) == 0 && g_mkdir(out_dir, 0700) == 0 && g_mkdir(ref_dir, 0700) == 0);
}

static void
teardown(void)
{
    rm_rf(dir);
    g_free(dir);
    g_free(bin);
    g_free(in_dir);
    g_free(out_dir);
    g_free(ref_dir);
}

TestSuite(ingest_cli, .init = setup, .fini = teardown);

/* ---- running the binary ---- */

typedef struct {
    int status; /* exit code, or 128 + signal */
    char *out, *err;
} Run;

static void
run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

/* Runs pbc-ingest with the NULL-terminated arguments (not through a shell). */
static void
run_argv(Run *r, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, bin);
    for (int i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);
    g_auto(GStrv) env = g_get_environ();
    env = g_environ_unsetenv(env, "PBC_UNITS_TEXT");
    g_autoptr(GError) e = NULL;
    int status = 0;
    cr_assert(g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &r->out,
                           &r->err, &status, &e),
              "could not run %s: %s", bin, e ? e->message : "?");
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    /* A sanitizer report can end in an exit status a case expects (ASan exits 1). */
    cr_assert_null(strstr(r->err, "Sanitizer"), "sanitizer report:\n%s", r->err);
    cr_assert_null(strstr(r->err, "runtime error"), "UBSan report:\n%s", r->err);
}

/* The usual full run: every output into out/, inputs from in/, extra args first. */
static void
run_full(Run *r, const char *extra1, const char *extra2)
{
    g_autofree char *units = g_build_filename(out_dir, "units.bin", NULL);
    g_autofree char *rejects = g_build_filename(out_dir, "rejects.csv", NULL);
    g_autofree char *recon = g_build_filename(out_dir, "reconciliation.csv", NULL);
    g_autofree char *dq = g_build_filename(out_dir, "dq.csv", NULL);
    const char *args[16];
    int n = 0;
    if (extra1)
        args[n++] = extra1;
    if (extra2)
        args[n++] = extra2;
    args[n++] = "-o";
    args[n++] = units;
    args[n++] = "--rejects";
    args[n++] = rejects;
    args[n++] = "--file-reconciliation";
    args[n++] = recon;
    args[n++] = "--data-quality";
    args[n++] = dq;
    args[n++] = in_dir;
    args[n] = NULL;
    run_argv(r, args);
}

static char *
out_path(const char *name)
{
    return g_build_filename(out_dir, name, NULL);
}

/* Names in out/, sorted, space-separated ("" when empty: nothing published). */
static char *
ls_out(void)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(out_dir, 0, NULL);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    for (guint i = 1; i < names->len; i++)
        for (guint j = i; j > 0 && strcmp(names->pdata[j - 1], names->pdata[j]) > 0; j--) {
            gpointer t = names->pdata[j];
            names->pdata[j] = names->pdata[j - 1];
            names->pdata[j - 1] = t;
        }
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", (char *)names->pdata[i]);
    return g_string_free(s, FALSE);
}

/* ---- writing extracts ---- */

#define APC_HEADER                                                                               \
    "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,nhs_number,"            \
    "gp_practice_code,hospital_spell_no,episode_no,admission_method,patient_classification,"     \
    "admission_date,discharge_date,treatment_function_code,spell_hrg\n"
#define OP_HEADER                                                                                \
    "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,nhs_number,"            \
    "attendance_id,appointment_date,first_attendance,attended_or_dna,treatment_function_code,"   \
    "op_hrg\n"
#define AE_HEADER                                                                                \
    "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,attendance_id,"         \
    "arrival_date,ae_attendance_category,ae_hrg\n"

static char *
write_in(const char *name, const char *content)
{
    char *p = g_build_filename(in_dir, name, NULL);
    cr_assert(g_file_set_contents(p, content, -1, NULL));
    return p;
}

/* write_in() taking ownership of content. */
static char *
write_in_take(const char *name, char *content)
{
    char *p = write_in(name, content);
    g_free(content);
    return p;
}

static char *
write_in_gz(const char *name, const char *content)
{
    char *p = g_build_filename(in_dir, name, NULL);
    gzFile gz = gzopen(p, "wb");
    cr_assert_not_null(gz);
    cr_assert_eq(gzwrite(gz, content, (unsigned)strlen(content)), (int)strlen(content));
    cr_assert_eq(gzclose(gz), Z_OK);
    return p;
}

/* n valid OP rows O<start>..O<start+n-1>, then k rows with a bad TFC. */
static char *
op_rows(int start, int n, int k)
{
    GString *s = g_string_new(OP_HEADER);
    for (int i = start; i < start + n; i++)
        g_string_append_printf(s, "O%d,9,2006-05-01,RA9,,AT%d,2006-04-10,1,5,100,\n", i, i);
    for (int i = 0; i < k; i++)
        g_string_append_printf(s, "BAD%d,9,2006-05-01,RA9,,ATB%d,2006-04-10,1,5,12,\n", start + i,
                               start + i);
    return g_string_free(s, FALSE);
}

/* ---- reading outputs ---- */

typedef struct {
    GPtrArray *rows; /* GStrv, header first */
} Table;

static char **
table_row(Table *t, guint i)
{
    return g_ptr_array_index(t->rows, i);
}

static void
table_free(Table *t)
{
    g_ptr_array_free(t->rows, TRUE);
    g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Table, table_free)

/* A CSV output as rows of strings, header included. */
static Table *
read_table(const char *path)
{
    g_autoptr(GError) e = NULL;
    g_autoptr(CsvIn) in = csv_in_open(path, &e);
    cr_assert_not_null(in, "%s", e ? e->message : "?");
    Table *t = g_new0(Table, 1);
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    int rc;
    while ((rc = csv_in_next(in, &e)) > 0) {
        char **r = g_new0(char *, csv_in_count(in) + 1);
        for (guint i = 0; i < csv_in_count(in); i++)
            r[i] = g_strndup(csv_in_field(in, (int)i), csv_in_field_len(in, (int)i));
        g_ptr_array_add(t->rows, r);
    }
    cr_assert_eq(rc, 0);
    return t;
}

/* The units file as "unit_id hrg" lines (sorted as written). */
static char *
read_units(void)
{
    g_autofree char *p = out_path("units.bin");
    g_autoptr(GError) e = NULL;
    g_autoptr(UnitIn) in = unit_in_open(p, &e);
    cr_assert_not_null(in, "%s", e ? e->message : "?");
    GString *s = g_string_new(NULL);
    Unit u;
    int rc;
    while ((rc = unit_in_next(in, &u, &e)) > 0)
        g_string_append_printf(s, "%s %s %s\n", dataset_name(u.dataset), u.unit_id,
                               blank(u.hrg) ? "-" : u.hrg);
    cr_assert_eq(rc, 0, "%s", e ? e->message : "");
    return g_string_free(s, FALSE);
}

/* ---- usage (exit 2) and help (exit 0) ---- */

Test(ingest_cli, help)
{
    g_auto(Run) r = {0};
    const char *args[] = {"--help", NULL};
    run_argv(&r, args);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "Usage:") != NULL, "%s", r.out);
    /* the remaining arguments are named once: "[OPTION…] INPUT... - read …" */
    cr_assert(strstr(r.out, "] INPUT... - read CDS activity extracts\n") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "--reject-rate-limit") != NULL);
    cr_assert(strstr(r.out, "--file-reconciliation") != NULL);
    cr_assert(strstr(r.out, "-o, --output") != NULL, "short and long forms");
    cr_assert(strstr(r.out, "Example:") != NULL);
    cr_assert(strstr(r.out, "Exit status") != NULL);
    cr_assert_str_eq(r.err, "");
}

typedef struct {
    char args[3][40];
    char err[120]; /* expected first line on stderr */
} UsageCase;

static UsageCase usage_cases[] = {
    {{"--bogus", "x"}, "pbc-ingest: error: Unknown option --bogus"},
    {{"-Z", "x"}, "pbc-ingest: error: Unknown option -Z"},
    {{"-q"}, "pbc-ingest: error: no input files or directory given"},
    {{"--reject-rate-limit", "abc", "x"},
     "pbc-ingest: error: invalid reject rate limit \"abc\": expected a percentage from 0 to 100"},
    {{"--reject-rate-limit", "101", "x"},
     "pbc-ingest: error: invalid reject rate limit \"101\": expected a percentage from 0 to 100"},
    {{"--reject-rate-limit", "-1", "x"},
     "pbc-ingest: error: invalid reject rate limit \"-1\": expected a percentage from 0 to 100"},
    {{"--output"}, "pbc-ingest: error: Missing argument for --output"},
};

ParameterizedTestParameters(ingest_cli, usage)
{
    return cr_make_param_array(UsageCase, usage_cases, G_N_ELEMENTS(usage_cases));
}

/* Usage errors: exit 2, message on stderr, nothing on stdout. */
ParameterizedTest(UsageCase *c, ingest_cli, usage)
{
    const char *args[4] = {NULL};
    for (int i = 0; i < 3 && c->args[i][0]; i++)
        args[i] = c->args[i];
    g_auto(Run) r = {0};
    run_argv(&r, args);
    cr_assert_eq(r.status, 2, "%s: status %d\n%s", c->args[0], r.status, r.err);
    g_autofree char *first = g_strndup(r.err, strcspn(r.err, "\n"));
    cr_assert_str_eq(first, c->err);
    cr_assert_str_eq(r.out, "");
}

ParameterizedTestParameters(ingest_cli, usage_hint)
{
    return cr_make_param_array(UsageCase, usage_cases, G_N_ELEMENTS(usage_cases));
}

/* Every usage error carries the "try --help" hint (STYLE 16). */
ParameterizedTest(UsageCase *c, ingest_cli, usage_hint)
{
    const char *args[4] = {NULL};
    for (int i = 0; i < 3 && c->args[i][0]; i++)
        args[i] = c->args[i];
    g_auto(Run) r = {0};
    run_argv(&r, args);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "\nhint: try \"pbc-ingest --help\"\n") != NULL, "%s", r.err);
}


/* ---- R-I6: unreadable, corrupt, missing column (exit 3, nothing published) ---- */

Test(ingest_cli, missing_input)
{
    g_autofree char *p = g_build_filename(dir, "no_such_dir", NULL);
    g_autofree char *units = out_path("units.bin");
    const char *args[] = {"-o", units, p, NULL};
    g_auto(Run) r = {0};
    run_argv(&r, args);
    cr_assert_eq(r.status, 3, "%s", r.err);
    g_autofree char *want =
        g_strdup_printf("pbc-ingest: error: could not open \"%s\": No such file or directory\n", p);
    cr_assert_str_eq(r.err, want);
    g_autofree char *listing = ls_out();
    cr_assert_str_eq(listing, "");
}

Test(ingest_cli, missing_required_column)
{
    g_autofree char *ok = write_in_take("a_ok.csv", op_rows(1, 3, 0));
    g_autofree char *p = write_in("b_apc.csv",
                                  "cds_unique_id,cds_update_type,cds_applicable_datetime,"
                                  "provider_code,hospital_spell_no,admission_method,"
                                  "patient_classification,admission_date\n"
                                  "E1,9,2006-05-01,RA9,S1,11,1,2006-04-01\n");
    g_auto(Run) r = {0};
    run_full(&r, NULL, NULL);
    cr_assert_eq(r.status, 3, "%s", r.err);
    g_autofree char *want = g_strdup_printf(
        "pbc-ingest: error: file \"%s\": missing required column \"episode_no\" of an APC extract\n", p);
    cr_assert(g_str_has_suffix(r.err, want), "stderr:\n%s\nwant:\n%s", r.err, want);
    g_autofree char *listing = ls_out();
    cr_assert_str_eq(listing, "", "nothing published (R-I6), found: %s", listing);
}

Test(ingest_cli, truncated_gzip)
{
    GString *s = g_string_new(OP_HEADER);
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(s, "O%d,9,2006-05-01,RA9,,AT%d,2006-04-10,1,5,100,\n", i, i);
    g_autofree char *whole = write_in_gz("op.csv.gz", s->str);
    g_string_free(s, TRUE);
    gchar *data;
    gsize len;
    cr_assert(g_file_get_contents(whole, &data, &len, NULL));
    cr_assert(g_file_set_contents(whole, data, (gssize)(len - 20), NULL));
    g_free(data);
    g_auto(Run) r = {0};
    run_full(&r, NULL, NULL);
    cr_assert_eq(r.status, 3, "%s", r.err);
    g_autofree char *want = g_strdup_printf("pbc-ingest: error: could not read file \"%s\": truncated gzip stream", whole);
    cr_assert(strstr(r.err, want) != NULL, "stderr:\n%s", r.err);
    g_autofree char *listing = ls_out();
    cr_assert_str_eq(listing, "", "found: %s", listing);
}

Test(ingest_cli, corrupt_gzip)
{
    g_autofree char *p = write_in_gz("op.gz", "a,b\n");
    gchar *data;
    gsize len;
    cr_assert(g_file_get_contents(p, &data, &len, NULL));
    data[len - 6] ^= 0x55; /* the CRC */
    cr_assert(g_file_set_contents(p, data, (gssize)len, NULL));
    g_free(data);
    g_auto(Run) r = {0};
    run_full(&r, NULL, NULL);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "corrupt gzip stream") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, p) != NULL);
    g_autofree char *listing = ls_out();
    cr_assert_str_eq(listing, "");
}

Test(ingest_cli, no_dataset_in_header)
{
    g_autofree char *p = write_in("mystery.csv", "foo,bar\n1,2\n");
    g_auto(Run) r = {0};
    run_full(&r, NULL, NULL);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf("pbc-ingest: error: file \"%s\": cannot tell its dataset", p);
    cr_assert(strstr(r.err, want) != NULL, "%s", r.err);
}

/* ---- R-I5: the reject rate over all files together ---- */

typedef struct {
    int n1, k1, n2, k2; /* valid and rejected rows of two files */
    char limit[12];     /* --reject-rate-limit, "" = default (1) */
    char conf[12];      /* reject_rate_limit in ref/pbc.conf, "" = none */
    int status;
    char why[64];
} RateCase;

static RateCase rate_cases[] = {
    {99, 1, 0, 0, "", "", 0, "1 of 100 = 1 %: at the limit passes"},
    {98, 2, 0, 0, "", "", 1, "2 of 100 = 2 % > 1 %"},
    {50, 1, 49, 0, "", "", 0, "1 of 100 over two files"},
    {49, 1, 49, 1, "", "", 1, "2 of 100 over two files"},
    {3, 1, 0, 0, "25", "", 0, "1 of 4 = 25 %: at the limit"},
    {5, 2, 0, 0, "25", "", 1, "2 of 7 = 28.6 %"},
    {4, 0, 0, 0, "0", "", 0, "limit 0, no rejects"},
    {400, 1, 0, 0, "0", "", 1, "limit 0, one reject"},
    {1, 1, 0, 0, "", "50", 0, "pbc.conf limit 50: 1 of 2"},
    {1, 1, 0, 0, "49.99", "50", 1, "the option overrides pbc.conf"},
    {199, 1, 0, 0, "0.5", "", 0, "0.5 %: 1 of 200"},
    {198, 2, 0, 0, "0.5", "", 1, "0.5 %: 2 of 200"},
    {0, 0, 0, 0, "0", "", 0, "no rows at all"},
};

ParameterizedTestParameters(ingest_cli, reject_rate)
{
    return cr_make_param_array(RateCase, rate_cases, G_N_ELEMENTS(rate_cases));
}

/* R-I5: "exceed" — a rate equal to the limit passes. */
ParameterizedTest(RateCase *c, ingest_cli, reject_rate)
{
    g_autofree char *a = write_in_take("a.csv", op_rows(1, c->n1, c->k1));
    if (c->n2 + c->k2 > 0) {
        g_autofree char *b = write_in_take("b.csv", op_rows(1000, c->n2, c->k2));
    }
    if (c->conf[0]) {
        g_autofree char *conf = g_build_filename(ref_dir, "pbc.conf", NULL);
        g_autofree char *text = g_strdup_printf("[pbc]\nreject_rate_limit = %s\n", c->conf);
        cr_assert(g_file_set_contents(conf, text, -1, NULL));
    }
    g_autofree char *limit = g_strdup_printf("--reject-rate-limit=%s", c->limit);
    g_autofree char *ref = g_strdup_printf("--ref=%s", ref_dir);
    g_auto(Run) r = {0};
    run_full(&r, c->limit[0] ? limit : NULL, c->conf[0] ? ref : NULL);
    cr_assert_eq(r.status, c->status, "%s: status %d\n%s", c->why, r.status, r.err);
    g_autofree char *units = out_path("units.bin");
    if (c->status == 0) {
        cr_assert(g_file_test(units, G_FILE_TEST_EXISTS), "%s", c->why);
    } else {
        cr_assert_not(g_file_test(units, G_FILE_TEST_EXISTS), "%s: units published", c->why);
        g_autofree char *recon = out_path("reconciliation.csv");
        cr_assert_not(g_file_test(recon, G_FILE_TEST_EXISTS), "%s", c->why);
        cr_assert(strstr(r.err, "pbc-ingest: error: rejected rows exceed the limit") != NULL,
                  "%s", r.err);
    }
}

/* R-I5: the message names the worst files, worst first. */
Test(ingest_cli, reject_rate_names_worst_files)
{
    g_autofree char *x = write_in_take("x.csv", op_rows(1, 9, 1));
    g_autofree char *y = write_in_take("y.csv", op_rows(100, 7, 3));
    g_autofree char *z = write_in_take("z.csv", op_rows(200, 10, 0));
    g_auto(Run) r = {0};
    run_full(&r, NULL, NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "pbc-ingest: error: rejected rows exceed the limit: 4 of 30 rows read")
                  != NULL, "%s", r.err);
    /* worst first; a file without rejects is not named */
    cr_assert(strstr(r.err, "\ndetail: worst files: \"y.csv\" 3 of 10; \"x.csv\" 1 of 10\n")
                  != NULL, "%s", r.err);
    g_autofree char *units = out_path("units.bin");
    cr_assert_not(g_file_test(units, G_FILE_TEST_EXISTS));
}

/* ---- R-I1 / R-I3: a mixed run, reconciled by hand ---- */

/*
 * in/ holds, in byte order of names:
 *   a_apc.csv   E1 v1 (01 May), E1 v2 (02 May), E2 episode 2 (01 May), a lower-case
 *               provider (rejected):        read 4 = accepted 1 + superseded 2 + rejected 1
 *               (E1 v1 loses to v2; E2 loses to e_apc.csv's newer version)
 *   b_op.csv.gz O1 (01 May), O1 deletion (03 May), broken quoting:
 *                                           read 3 = 1 + 1 + 1
 *   c_op.csv    O3 twice with one datetime (the later read wins), an empty line:
 *                                           read 2 = 1 + 1 + 0
 *   d_ae.csv    A1 (02 May) then A1 (01 May, older):   read 2 = 1 + 1 + 0
 *   e_apc.csv   E2 (04 May):                read 1 = 1 + 0 + 0
 * Units: spell RA9:S1 (E1 v2 + E2 from e_apc, HRG of episode 2 = "HE2"),
 * OP RA9:AT3 (the second O3, HRG "SECOND"), A&E RA9:AE1 (HRG "NEW"); O1 deleted.
 * 2 rejects of 12 rows = 16.7 %: the run uses --reject-rate-limit 20.
 */
static void
write_mixed(void)
{
    g_autofree char *a = write_in("a_apc.csv", APC_HEADER
                                  "E1,9,2006-05-01,RA9,,,S1,1,11,1,2006-04-01,,100,OLD\n"
                                  "E1,9,2006-05-02,RA9,,,S1,1,11,1,2006-04-01,,100,HE1\n"
                                  "E2,9,2006-05-01,RA9,,,S1,2,11,1,2006-04-01,2006-04-05,100,STALE\n"
                                  "E9,9,2006-05-01,ra9,,,S9,1,11,1,2006-04-01,,100,X\n");
    g_autofree char *b = write_in_gz("b_op.csv.gz", OP_HEADER
                                     "O1,9,2006-05-01,RA9,,AT1,2006-04-10,1,5,100,\n"
                                     "O1,1,2006-05-03,RA9,,AT1,2006-04-10,1,5,100,\n"
                                     "O2,9,2006-05-01,RA9,,AT\"2,2006-04-10,1,5,100,\n");
    g_autofree char *c = write_in("c_op.csv", OP_HEADER
                                  "O3,9,2006-05-01 09:00:00,RA9,,AT3,2006-04-10,1,5,100,FIRST\n"
                                  "\n"
                                  "O3,9,2006-05-01 09:00:00,RA9,,AT3,2006-04-10,1,5,100,SECOND\n");
    g_autofree char *d = write_in("d_ae.csv", AE_HEADER
                                  "A1,9,2006-05-02,RA9,AE1,2006-04-10,1,NEW\n"
                                  "A1,9,2006-05-01,RA9,AE1,2006-04-10,1,OLD\n");
    g_autofree char *e = write_in("e_apc.csv", APC_HEADER
                                  "E2,9,2006-05-04,RA9,,,S1,2,11,1,2006-04-01,2006-04-06,100,HE2\n");
}

Test(ingest_cli, mixed_run_reconciles)
{
    write_mixed();
    g_auto(Run) r = {0};
    run_full(&r, "--reject-rate-limit", "20");
    cr_assert_eq(r.status, 0, "%s", r.err);
    g_autofree char *units = read_units();
    cr_assert_str_eq(units, "APC RA9:S1 HE2\nOP RA9:AT3 SECOND\nAE RA9:AE1 NEW\n");

    g_autofree char *recon_path = out_path("reconciliation.csv");
    g_autoptr(Table) t = read_table(recon_path);
    static const char *const want[][6] = {
        {"file", "dataset", "read", "accepted", "superseded", "rejected"},
        {"a_apc.csv", "APC", "4", "1", "2", "1"},
        {"b_op.csv.gz", "OP", "3", "1", "1", "1"},
        {"c_op.csv", "OP", "2", "1", "1", "0"},
        {"d_ae.csv", "AE", "2", "1", "1", "0"},
        {"e_apc.csv", "APC", "1", "1", "0", "0"},
    };
    cr_assert_eq(t->rows->len, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        char **row = table_row(t, i);
        cr_assert_eq(g_strv_length(row), 6, "row %u", i);
        for (int k = 0; k < 6; k++)
            cr_assert_str_eq(row[k], want[i][k], "row %u column %d", i, k);
        if (i == 0)
            continue;
        /* R-I1: read = accepted + superseded + rejected */
        gint64 rd = g_ascii_strtoll(row[2], NULL, 10), ac = g_ascii_strtoll(row[3], NULL, 10),
               su = g_ascii_strtoll(row[4], NULL, 10), rj = g_ascii_strtoll(row[5], NULL, 10);
        cr_assert_eq(rd, ac + su + rj, "%s", row[0]);
    }
}

/* R-I1: rejects.csv carries file, line, reason, column and the raw record. */
Test(ingest_cli, rejects_file)
{
    write_mixed();
    g_autofree char *f = write_in("f_op.csv", OP_HEADER
                                  "O7,9,2006-05-01,RA9,\"9434765919\",\"AT,7\",2006-04-10,1,5,\"1\n2\",\n");
    g_auto(Run) r = {0};
    run_full(&r, "--reject-rate-limit", "30");
    cr_assert_eq(r.status, 0, "%s", r.err);
    g_autofree char *p = out_path("rejects.csv");
    g_autoptr(Table) t = read_table(p);
    static const char *const want[][6] = {
        {"file", "line", "dataset", "reason", "column", "raw_record"},
        {"a_apc.csv", "5", "APC", "INVALID_PROVIDER_CODE", "provider_code",
         "E9,9,2006-05-01,ra9,,,S9,1,11,1,2006-04-01,,100,X"},
        {"b_op.csv.gz", "4", "OP", "BROKEN_QUOTING", "",
         "O2,9,2006-05-01,RA9,,AT\"2,2006-04-10,1,5,100,"},
        {"f_op.csv", "2", "OP", "INVALID_TREATMENT_FUNCTION", "treatment_function_code",
         "O7,9,2006-05-01,RA9,\"9434765919\",\"AT,7\",2006-04-10,1,5,\"1\n2\","},
    };
    cr_assert_eq(t->rows->len, G_N_ELEMENTS(want), "%u rows", t->rows->len);
    for (guint i = 0; i < G_N_ELEMENTS(want); i++)
        for (int k = 0; k < 6; k++)
            cr_assert_str_eq(table_row(t, i)[k], want[i][k], "row %u column %d", i, k);
}

/* SPEC §8: patient-identifiable outputs owner-only; counts public. */
Test(ingest_cli, output_modes)
{
    write_mixed();
    g_auto(Run) r = {0};
    run_full(&r, "--reject-rate-limit", "20");
    cr_assert_eq(r.status, 0, "%s", r.err);
    static const struct {
        const char *name;
        mode_t mode;
    } want[] = {{"units.bin", 0600}, {"rejects.csv", 0600}, {"reconciliation.csv", 0644},
                {"dq.csv", 0644}};
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        g_autofree char *p = out_path(want[i].name);
        struct stat st;
        cr_assert_eq(stat(p, &st), 0, "%s missing", want[i].name);
        cr_assert_eq(st.st_mode & 07777, want[i].mode, "%s: mode %o", want[i].name,
                     st.st_mode & 07777);
    }
    g_autofree char *listing = ls_out();
    cr_assert_str_eq(listing, "dq.csv reconciliation.csv rejects.csv units.bin", "no temporaries left");
}

/* ---- SPEC §3.1: which files, in which order ---- */

/*
 * Byte order of names: "B.csv" (0x42) comes before "a.csv" (0x61), so a.csv
 * is read last and wins the tie (R-I3) although a locale's collation would
 * put it first.  Hidden files, other extensions and directories are skipped.
 */
Test(ingest_cli, files_in_byte_order)
{
    g_autofree char *a = write_in("a.csv", OP_HEADER "O1,9,2006-05-01,RA9,,AT1,2006-04-10,1,5,100,LOWER\n");
    g_autofree char *b = write_in("B.csv", OP_HEADER "O1,9,2006-05-01,RA9,,AT1,2006-04-10,1,5,100,UPPER\n");
    g_autofree char *hidden = write_in(".c.csv", OP_HEADER "O1,9,2006-05-01,RA9,,AT1,2006-04-10,1,5,100,HIDDEN\n");
    g_autofree char *txt = write_in("d.txt", "not,an,extract\n");
    g_autofree char *sub = g_build_filename(in_dir, "e.csv", NULL);
    cr_assert_eq(g_mkdir(sub, 0700), 0);
    g_auto(Run) r = {0};
    run_full(&r, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    g_autofree char *units = read_units();
    cr_assert_str_eq(units, "OP RA9:AT1 LOWER\n");
    g_autofree char *recon_path = out_path("reconciliation.csv");
    g_autoptr(Table) t = read_table(recon_path);
    cr_assert_eq(t->rows->len, 3, "two files read");
    cr_assert_str_eq(table_row(t, 1)[0], "B.csv");
    cr_assert_str_eq(table_row(t, 2)[0], "a.csv");
    cr_assert_str_eq(table_row(t, 1)[4], "1", "B.csv's row superseded");
}

/* .csv, .csv.gz and .gz are all read; names sort with their extensions. */
Test(ingest_cli, extensions)
{
    g_autofree char *a = write_in_gz("x.csv.gz", OP_HEADER "O1,9,2006-05-01,RA9,,AT1,2006-04-10,1,5,100,CSVGZ\n");
    g_autofree char *b = write_in("x.csv", OP_HEADER "O2,9,2006-05-01,RA9,,AT2,2006-04-10,1,5,100,CSV\n");
    g_autofree char *c = write_in_gz("y.gz", OP_HEADER "O3,9,2006-05-01,RA9,,AT3,2006-04-10,1,5,100,GZ\n");
    g_auto(Run) r = {0};
    run_full(&r, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    g_autofree char *units = read_units();
    cr_assert_str_eq(units, "OP RA9:AT1 CSVGZ\nOP RA9:AT2 CSV\nOP RA9:AT3 GZ\n");
    g_autofree char *recon_path = out_path("reconciliation.csv");
    g_autoptr(Table) t = read_table(recon_path);
    cr_assert_eq(t->rows->len, 4);
    cr_assert_str_eq(table_row(t, 1)[0], "x.csv");
    cr_assert_str_eq(table_row(t, 2)[0], "x.csv.gz");
    cr_assert_str_eq(table_row(t, 3)[0], "y.gz");
}

/* File arguments are sorted by name like a directory's files. */
Test(ingest_cli, file_arguments_sorted)
{
    g_autofree char *a = write_in("a.csv", OP_HEADER "O1,9,2006-05-01,RA9,,AT1,2006-04-10,1,5,100,A\n");
    g_autofree char *b = write_in("b.csv", OP_HEADER "O1,9,2006-05-01,RA9,,AT1,2006-04-10,1,5,100,B\n");
    g_autofree char *units = out_path("units.bin");
    const char *args[] = {"-o", units, b, a, NULL};
    g_auto(Run) r = {0};
    run_argv(&r, args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    g_autofree char *got = read_units();
    cr_assert_str_eq(got, "OP RA9:AT1 B\n", "b.csv read last whatever the argument order");
}

/* An empty input directory: a warning, an empty units file, exit 0. */
Test(ingest_cli, empty_input)
{
    g_auto(Run) r = {0};
    run_full(&r, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "pbc-ingest: warning: no activity files found in the input") != NULL,
              "%s", r.err);
    g_autofree char *units = read_units();
    cr_assert_str_eq(units, "");
}
