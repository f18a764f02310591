/*
 * test_price_cli.c: pbc-price as a black box (price/main.c).
 *
 * Runs the binary found in $PBC_BIN (a directory), else build/asan/bin,
 * from the repository root, and checks its exit codes (0 ok, 2 usage,
 * 3 input or reference errors), its exact error messages, the help text,
 * and a small end-to-end run: units written with unit_write(), priced by
 * the binary, read back with unit_in_next(), prices worked out by hand.
 */
#include "csv_out.h"
#include "date.h"
#include "log.h"
#include "unit.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char *dir;
static char *bin;

static void
rm_rf(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(path, n, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR))
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
    const char *b = g_getenv("PBC_BIN");
    bin = g_build_filename(b && *b ? b : "build/asan/bin", "pbc-price", NULL);
    cr_assert(g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE), "no binary %s (make asan)", bin);
    dir = g_dir_make_tmp("pbc-price-cli-XXXXXX", NULL);
    cr_assert_not_null(dir);
}

static void
teardown(void)
{
    rm_rf(dir);
    g_free(dir);
    g_free(bin);
}

TestSuite(price_cli, .init = setup, .fini = teardown);

typedef struct {
    int status;
    char *out;
    char *err;
} Run;

static void
run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

/* Runs a shell command line (for redirections); PRICE stands for the binary. */
static void
sh(Run *r, const char *cmdline)
{
    g_auto(GStrv) parts = g_strsplit(cmdline, "PRICE", -1);
    g_autofree char *cmd = g_strjoinv(bin, parts);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    int status;
    g_autoptr(GError) e = NULL;
    cr_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &r->out, &r->err, &status,
                           &e),
              "spawn: %s", e ? e->message : "");
    cr_assert(WIFEXITED(status), "%s: killed; stderr: %s", cmd, r->err);
    r->status = WEXITSTATUS(status);
}

/* Runs the binary with arguments (NULL-terminated). */
static void
run(Run *r, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, bin);
    va_list ap;
    va_start(ap, r);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL)
        g_ptr_array_add(argv, (char *)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    int status;
    g_autoptr(GError) e = NULL;
    cr_assert(g_spawn_sync(NULL, (char **)argv->pdata, NULL, 0, NULL, NULL, &r->out, &r->err,
                           &status, &e),
              "spawn: %s", e ? e->message : "");
    cr_assert(WIFEXITED(status), "killed; stderr: %s", r->err);
    r->status = WEXITSTATUS(status);
}

static char *
path_of(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

static void
write_file(const char *name, const char *content)
{
    g_autofree char *p = path_of(name);
    cr_assert(g_file_set_contents(p, content, -1, NULL));
}

/* A small REF: AA01A el 1000, trim 5, 200/day; RA9's MFF 1.5; TFC 100 first 150. */
static char *
write_ref(void)
{
    g_autofree char *ref = path_of("ref");
    g_mkdir(ref, 0700);
    write_file("ref/tariff_apc.csv",
               "fin_year,hrg,hrg_name,elective_tariff,day_case_tariff,non_elective_tariff,"
               "elective_trim_days,non_elective_trim_days,excess_bed_day_tariff,sse_tariff\n"
               "2006/07,AA01A,,1000,,1500,5,10,200,\n"
               "2007/08,AA01A,,1100,,1600,5,10,200,\n");
    write_file("ref/tariff_op.csv", "fin_year,treatment_function_code,first_tariff,follow_up_tariff\n"
                                    "2006/07,100,150,75\n2007/08,100,160,80\n");
    write_file("ref/tariff_ae.csv", "fin_year,hrg,tariff\n2006/07,VB01Z,100\n2007/08,VB01Z,110\n");
    write_file("ref/tariff_params.csv", "fin_year,sse_max_los,sse_min_age,sse_percent\n");
    write_file("ref/mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,1.5\n");
    write_file("ref/local_prices.csv", "fin_year,provider_code,pod,code,price\n");
    write_file("ref/exclusions.csv", "fin_year,pod,code,scope\n2006/07,*,VB01Z,PCT_HELD\n");
    return g_steal_pointer(&ref);
}

static PbcDate
day(const char *s)
{
    PbcDate d;
    cr_assert(date_parse(s, &d));
    return d;
}

/*
 * Writes three units: an EL spell at RA9 LOS 6 (one excess day), an OP
 * first attendance at RXX, an A&E attendance at RA9, and one unfinished
 * spell; in the binary unit format as the stages write it, or in its CSV
 * form (text) as PBC_UNITS_TEXT=1 makes them write it.
 */
static char *
write_units_as(gboolean text)
{
    g_autofree char *p = path_of(text ? "attributed.csv" : "attributed.units");
    g_autoptr(GError) e = NULL;
    CsvOut *o = text ? csv_out_create(p, CSV_OUT_PATIENT, unit_header(), &e)
                     : unit_out_create(p, &e);
    cr_assert_not_null(o);
    Unit u;
    unit_clear(&u);
    u.dataset = DS_APC;
    u.unit_id = "RA9:S1";
    u.provider_code = "RA9";
    u.nhs_number = "9434765919";
    u.admission_method = "11";
    u.patient_classification = "1";
    u.admission_date = u.attribution_date = day("2006-06-01");
    u.discharge_date = u.charge_date = day("2006-06-07");
    u.hrg = "AA01A";
    u.practice_code = "A81001";
    u.attribution_method = "EXETER";
    unit_write(o, &u);
    unit_clear(&u);
    u.dataset = DS_OP;
    u.unit_id = "RXX:A1";
    u.provider_code = "RXX";
    u.attribution_date = u.charge_date = day("2006-07-01");
    u.treatment_function_code = "100";
    u.first_attendance = "1";
    u.attended_or_dna = "5";
    unit_write(o, &u);
    unit_clear(&u);
    u.dataset = DS_AE;
    u.unit_id = "RA9:E1";
    u.provider_code = "RA9";
    u.attribution_date = u.charge_date = day("2006-08-01");
    u.hrg = "VB01Z";
    unit_write(o, &u);
    unit_clear(&u);
    u.dataset = DS_APC;
    u.unit_id = "RA9:S2";
    u.provider_code = "RA9";
    u.admission_method = "21";
    u.patient_classification = "1";
    u.admission_date = u.attribution_date = day("2006-09-01");
    u.unfinished = TRUE;
    u.hrg = "AA01A";
    unit_write(o, &u);
    cr_assert(csv_out_commit(o, &e));
    return g_steal_pointer(&p);
}

static char *
write_units(void)
{
    return write_units_as(FALSE);
}

Test(price_cli, help)
{
    g_auto(Run) r = {0};
    run(&r, "--help", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "Usage:") != NULL);
    cr_assert(strstr(r.out, "-r, --ref=DIR") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "-o, --output=FILE") != NULL);
    cr_assert(strstr(r.out, "--audit-dir=DIR") != NULL);
    cr_assert(strstr(r.out, "-y, --tariff-year=YYYY/YY") != NULL);
    cr_assert(strstr(r.out, "-q, --quiet") != NULL);
    cr_assert(strstr(r.out, "default \"-\"") != NULL, "defaults shown");
    cr_assert(strstr(r.out, "Examples:\n  pbc-price -r ref/ -o var/priced.csv") != NULL);
    cr_assert_str_eq(r.err, "");
}

/* SPEC §8 / STYLE 16: usage errors exit 2 with a hint. */
Test(price_cli, unknown_option)
{
    g_auto(Run) r = {0};
    run(&r, "--bogus", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "pbc-price: error: Unknown option --bogus\n"
                            "hint: try \"pbc-price --help\" for more information\n");
    cr_assert_str_eq(r.out, "");
}

Test(price_cli, no_ref)
{
    g_auto(Run) r = {0};
    run(&r, "in.csv", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "pbc-price: error: no reference directory given (-r DIR)\n"
                            "hint: try \"pbc-price --help\" for more information\n");
}

Test(price_cli, too_many_inputs)
{
    g_auto(Run) r = {0};
    run(&r, "-r", dir, "a.csv", "b.csv", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "pbc-price: error: too many arguments: only one INPUT file\n"
                            "hint: try \"pbc-price --help\" for more information\n");
}

Test(price_cli, bad_tariff_year)
{
    g_auto(Run) r = {0};
    run(&r, "-r", dir, "-y", "2007/09", "a.csv", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "pbc-price: error: invalid financial year \"2007/09\" (expected e.g. "
                            "2007/08)\n"
                            "hint: try \"pbc-price --help\" for more information\n");
}

/* A missing REF directory: exit 3. */
Test(price_cli, missing_ref)
{
    g_autofree char *nope = path_of("nope");
    g_auto(Run) r = {0};
    run(&r, "-r", nope, "-", NULL);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf(
        "pbc-price: error: could not open reference directory \"%s\": not a directory\n", nope);
    cr_assert_str_eq(r.err, want);
}

/* Bad reference data: exit 3, the file, line and column named. */
Test(price_cli, bad_reference_data)
{
    g_autofree char *ref = write_ref();
    g_autofree char *in = write_units();
    write_file("ref/mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,1.5\n2006/07,RBB,15\n");
    g_autofree char *out = path_of("priced.csv");
    g_auto(Run) r = {0};
    run(&r, "-r", ref, "-o", out, in, NULL);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf(
        "pbc-price: error: file \"%s/mff.csv\" line 3 column \"mff\": market forces factor "
        "\"15\" out of range (0.5 to 2.0)\n", ref);
    cr_assert_str_eq(r.err, want);
    cr_assert_not(g_file_test(out, G_FILE_TEST_EXISTS), "no output on failure");
}

/* An input that is not an intermediate unit file: exit 3, no output left. */
Test(price_cli, malformed_input)
{
    g_autofree char *ref = write_ref();
    write_file("junk.csv", "a,b\n1,2\n");
    g_autofree char *in = path_of("junk.csv");
    g_autofree char *out = path_of("priced.csv");
    g_auto(Run) r = {0};
    run(&r, "-r", ref, "-o", out, in, NULL);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf(
        "pbc-price: error: file \"%s\": missing required column \"dataset\"\n", in);
    cr_assert_str_eq(r.err, want);
    cr_assert_not(g_file_test(out, G_FILE_TEST_EXISTS));
}

Test(price_cli, missing_input)
{
    g_autofree char *ref = write_ref();
    g_autofree char *in = path_of("absent.csv");
    g_auto(Run) r = {0};
    run(&r, "-r", ref, in, NULL);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf(
        "pbc-price: error: could not open file \"%s\": No such file or directory\n", in);
    cr_assert_str_eq(r.err, want);
}

/* An output directory that does not exist: exit 3. */
Test(price_cli, unwritable_output)
{
    g_autofree char *ref = write_ref();
    g_autofree char *in = write_units();
    g_autofree char *out = path_of("no/such/dir/priced.csv");
    g_auto(Run) r = {0};
    run(&r, "-q", "-r", ref, "-o", out, in, NULL);
    cr_assert_eq(r.status, 3);
    cr_assert(g_str_has_prefix(r.err, "pbc-price: error: could not create file"), "%s", r.err);
}

static GPtrArray *
read_units(const char *path, GStringChunk *chunk)
{
    g_autoptr(GError) e = NULL;
    g_autoptr(UnitIn) in = unit_in_open(path, &e);
    cr_assert_not_null(in, "%s", e ? e->message : "");
    GPtrArray *units = g_ptr_array_new_with_free_func(g_free);
    Unit u;
    int rc;
    while ((rc = unit_in_next(in, &u, &e)) > 0) {
        Unit *c = g_new(Unit, 1);
        unit_copy(c, &u, chunk);
        g_ptr_array_add(units, c);
    }
    cr_assert_eq(rc, 0, "%s", e ? e->message : "");
    return units;
}

/* End to end: the pricing fields written, file owner-only, the audit files, the log. */
Test(price_cli, prices_units)
{
    g_autofree char *ref = write_ref();
    g_autofree char *in = write_units();
    g_autofree char *out = path_of("priced.csv");
    g_auto(Run) r = {0};
    run(&r, "--ref", ref, "--output", out, "--audit-dir", dir, in, NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "pbc-price: priced 3 units, total 210000 pence; 0 unpriced; 1 "
                            "unfinished spells not priced\n") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "pbc-price:   EL     TARIFF                  1 units         180000 "
                            "pence\n") != NULL, "%s", r.err);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "patient data: owner only");

    GStringChunk *chunk = g_string_chunk_new(1024);
    g_autoptr(GPtrArray) units = read_units(out, chunk);
    cr_assert_eq(units->len, 4);
    const Unit *s = units->pdata[0], *o = units->pdata[1], *a = units->pdata[2],
               *x = units->pdata[3];
    /* EL AA01A RA9 LOS 6, trim 5: (1000 + 200) x 1.5 = 1800.00 */
    cr_assert_str_eq(s->unit_id, "RA9:S1");
    cr_assert_str_eq(s->nhs_number, "9434765919", "other fields pass through");
    cr_assert_str_eq(s->practice_code, "A81001");
    cr_assert_str_eq(s->pod, "EL");
    cr_assert_str_eq(s->price_method, "TARIFF");
    cr_assert_eq(s->fin_year, 2006);
    cr_assert_eq(s->los, 6);
    cr_assert_eq(s->excess_bed_days, 1);
    cr_assert_eq(s->base_pence, 100000);
    cr_assert_eq(s->excess_pence, 20000);
    cr_assert_eq(s->mff_micro, 1500000);
    cr_assert_eq(s->price_pence, 180000);
    /* OPFA TFC 100 at RXX: 150.00 x 1; no los / excess for OP */
    cr_assert_str_eq(o->pod, "OPFA");
    cr_assert_eq(o->price_pence, 15000);
    cr_assert_eq(o->los, -1);
    cr_assert_eq(o->excess_pence, PBC_NONE);
    cr_assert_eq(o->mff_micro, 1000000);
    /* AE VB01Z at RA9: 100.00 x 1.5, PCT_HELD */
    cr_assert_str_eq(a->pod, "AE");
    cr_assert_eq(a->price_pence, 15000);
    cr_assert(a->pct_held);
    /* unfinished: not priced */
    cr_assert_str_eq(x->pod, "");
    cr_assert_str_eq(x->price_method, "");
    cr_assert_eq(x->price_pence, PBC_NONE);
    g_string_chunk_free(chunk);

    g_autofree char *pa_path = path_of("pricing_audit.csv");
    g_autofree char *pa = NULL;
    cr_assert(g_file_get_contents(pa_path, &pa, NULL, NULL));
    cr_assert_str_eq(pa, "pod,price_method,provider_code,units,price_pence\n"
                         "AE,TARIFF,RA9,1,15000\n"
                         "EL,TARIFF,RA9,1,180000\n"
                         "OPFA,TARIFF,RXX,1,15000\n");
    g_autofree char *up_path = path_of("unpriced.csv");
    g_autofree char *th_path = path_of("top_hrgs.csv");
    cr_assert(g_file_test(up_path, G_FILE_TEST_EXISTS));
    cr_assert(g_file_test(th_path, G_FILE_TEST_EXISTS));
}

/* The CSV form of the unit file (PBC_UNITS_TEXT=1 upstream) is read too. */
Test(price_cli, text_units_input)
{
    g_autofree char *ref = write_ref();
    g_autofree char *in = write_units_as(TRUE);
    g_autofree char *out = path_of("priced.csv");
    g_auto(Run) r = {0};
    run(&r, "-q", "-r", ref, "-o", out, in, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    GStringChunk *chunk = g_string_chunk_new(1024);
    g_autoptr(GPtrArray) units = read_units(out, chunk);
    cr_assert_eq(units->len, 4);
    cr_assert_eq(((const Unit *)units->pdata[0])->price_pence, 180000);
    g_string_chunk_free(chunk);
}

/* A Unix filter: stdin to stdout gives the same bytes as files; -q is silent. */
Test(price_cli, stdin_stdout_quiet)
{
    g_autofree char *ref = write_ref();
    g_autofree char *in = write_units();
    g_autofree char *out = path_of("priced.csv");
    g_auto(Run) r1 = {0};
    run(&r1, "-q", "-r", ref, "-o", out, in, NULL);
    cr_assert_eq(r1.status, 0, "%s", r1.err);
    cr_assert_str_eq(r1.err, "");
    /* Standard output redirected to a file, so the binary bytes can be compared. */
    g_autofree char *out2 = path_of("priced2.units");
    g_autofree char *cmd = g_strdup_printf("PRICE -q -r '%s' - < '%s' > '%s'", ref, in, out2);
    g_auto(Run) r2 = {0};
    sh(&r2, cmd);
    cr_assert_eq(r2.status, 0, "%s", r2.err);
    cr_assert_str_eq(r2.err, "");
    g_autofree char *a = NULL, *b = NULL;
    gsize alen, blen;
    cr_assert(g_file_get_contents(out, &a, &alen, NULL));
    cr_assert(g_file_get_contents(out2, &b, &blen, NULL));
    cr_assert(alen > 0);
    cr_assert_eq(alen, blen);
    cr_assert(memcmp(a, b, alen) == 0, "same bytes from a file and from a pipe");
}

/* -y: every unit re-priced with 2007/08's tables (R-B1). */
Test(price_cli, forced_tariff_year)
{
    g_autofree char *ref = write_ref();
    g_autofree char *in = write_units();
    g_autofree char *out = path_of("priced.csv");
    g_auto(Run) r = {0};
    run(&r, "-q", "-r", ref, "--tariff-year", "2007/08", "-o", out, in, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    GStringChunk *chunk = g_string_chunk_new(1024);
    g_autoptr(GPtrArray) units = read_units(out, chunk);
    const Unit *s = units->pdata[0], *o = units->pdata[1], *a = units->pdata[2];
    /* 2007/08: AA01A 1100 + 1 x 200, RA9 has no 2007/08 MFF */
    cr_assert_eq(s->fin_year, 2007);
    cr_assert_eq(s->price_pence, 130000);
    cr_assert_eq(o->price_pence, 16000);
    cr_assert_eq(a->price_pence, 11000);
    cr_assert(a->pct_held, "PCT_HELD judged by the charge date's year, 2006/07");
    g_string_chunk_free(chunk);
}
