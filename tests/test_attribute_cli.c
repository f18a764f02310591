/*
 * test_attribute_cli.c: pbc-attribute as a black box: help, usage errors,
 * exact error messages and exit codes, and a whole run from a units file to
 * attributed units and the audit files.
 *
 * The binary is found in $PBC_BIN (a directory), else build/asan/bin; the
 * tests run from the repository root.
 */
#include "csv_out.h"
#include "log.h"
#include "unit.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char *tmpdir;
static char *bin;

static void
rm_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            rm_tree(p);
        else
            g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
}

static void
setup(void)
{
    tmpdir = g_dir_make_tmp("test_attribute_cli-XXXXXX", NULL);
    cr_assert_not_null(tmpdir);
    const char *dir = g_getenv("PBC_BIN");
    bin = g_build_filename(dir && *dir ? dir : "build/asan/bin", "pbc-attribute", NULL);
    cr_assert(g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE), "no binary at %s", bin);
}

static void
teardown(void)
{
    rm_tree(tmpdir);
    g_free(tmpdir);
    g_free(bin);
}

TestSuite(attribute_cli, .init = setup, .fini = teardown);

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

/* Runs a shell command line (so tests can redirect stdin); returns the exit status. */
static Run
sh(const char *cmdline)
{
    Run r = {0};
    const char *argv[] = {"/bin/sh", "-c", cmdline, NULL};
    GError *error = NULL;
    int wait_status;
    cr_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
                           &wait_status, &error),
              "%s", error ? error->message : "");
    cr_assert(WIFEXITED(wait_status), "%s did not exit", cmdline);
    r.status = WEXITSTATUS(wait_status);
    return r;
}

/* The binary with arguments (already shell-quoted by the caller where needed). */
static Run
attribute(const char *args)
{
    g_autofree char *cmd = g_strdup_printf("%s %s", bin, args);
    return sh(cmd);
}

static char *
path_in(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void
put(const char *name, const char *text)
{
    g_autofree char *p = path_in(name);
    g_autofree char *dir = g_path_get_dirname(p);
    g_mkdir_with_parents(dir, 0700);
    cr_assert(g_file_set_contents(p, text, -1, NULL));
}

/* A reference directory: PCT 5QA, look-back 30 days. */
static void
make_ref(void)
{
    put("ref/pbc.conf", "[pbc]\npct = 5QA\nlookback_days = 30\n");
    put("ref/practices.csv",
        "practice_code,practice_name,consortium_code,pct_code,open_date,close_date,successor_code\n"
        "A81001,One,C1,5QA,,,\n"
        "A81002,Two,C1,5QA,,2006-06-01,A81003\n"
        "A81003,Three,C2,5QA,,,\n"
        "B82001,Moor,K9,5QB,,,\n");
    put("ref/registrations.csv",
        "nhs_number,practice_code,registration_date,deregistration_date\n"
        "9434765919,A81001,2000-01-01,\n"
        "3417284996,A81002,2000-01-01,\n"
        "1234567881,B82001,2000-01-01,2006-03-01\n"
        "9876543210,A81001,2000-01-01,2006-04-01\n"
        "9434765918,A81001,2000-01-01,\n" /* invalid NHS number: rejected */);
}

/* Writes the units file: five OP attendances in April 2006 at RA9. */
static void
make_units(void)
{
    static const char *nhs[] = {"9434765919", "3417284996", "1234567881", "9876543210", ""};
    static const char *cds[] = {"A81003", "", "", "V81999", "A81003"};
    static const int day[] = {10, 10, 1, 30, 2};
    static const char *ids[] = {"RA9:1", "RA9:2", "RA9:3", "RA9:4", "RA9:5"};
    g_autofree char *p = path_in("units.csv");
    GError *error = NULL;
    CsvOut *o = unit_out_create(p, &error); /* the format ingest writes */
    cr_assert_not_null(o);
    for (int i = 0; i < 5; i++) {
        Unit u;
        unit_clear(&u);
        u.dataset = DS_OP;
        u.unit_id = ids[i];
        u.cds_unique_id = ids[i];
        u.provider_code = "RA9";
        u.nhs_number = nhs[i];
        u.cds_practice_code = cds[i];
        u.treatment_function_code = "110";
        u.first_attendance = "1";
        u.attended_or_dna = "5";
        u.attribution_date = date_from_ymd(2006, 4, day[i]);
        u.charge_date = u.attribution_date;
        u.practice_code = "STALE"; /* overwritten */
        unit_write(o, &u);
    }
    cr_assert(csv_out_commit(o, &error));
}

Test(attribute_cli, help_exits_0_with_defaults_and_an_example)
{
    Run r = attribute("--help");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "Usage:") != NULL);
    cr_assert(strstr(r.out, "--ref") != NULL);
    cr_assert(strstr(r.out, "-p, --pct") != NULL);
    cr_assert(strstr(r.out, "default: - = stdout") != NULL);
    cr_assert(strstr(r.out, "Example:") != NULL);
    cr_assert_str_eq(r.err, "");
    run_clear(&r);
}

Test(attribute_cli, bad_option_exits_2_with_a_hint)
{
    Run r = attribute("--bogus");
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "pbc-attribute: error: Unknown option --bogus\n"
                            "hint: try \"pbc-attribute --help\"\n");
    cr_assert_str_eq(r.out, "");
    run_clear(&r);
}

Test(attribute_cli, missing_ref_option_exits_2)
{
    Run r = attribute("-p 5QA units.csv");
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "pbc-attribute: error: no reference directory given: use --ref DIR\n"
                            "hint: try \"pbc-attribute --help\"\n");
    run_clear(&r);
}

Test(attribute_cli, two_inputs_exit_2)
{
    Run r = attribute("-r . -p 5QA a.csv b.csv");
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "pbc-attribute: error: too many inputs: \"a.csv\", \"b.csv\"\n"
                            "hint: try \"pbc-attribute --help\"\n");
    run_clear(&r);
}

Test(attribute_cli, missing_ref_directory_exits_3)
{
    Run r = attribute("-r /nonexistent/ref -p 5QA units.csv");
    cr_assert_eq(r.status, 3);
    cr_assert_str_eq(r.err, "pbc-attribute: error: could not open reference directory "
                            "\"/nonexistent/ref\": No such file or directory\n");
    cr_assert_str_eq(r.out, "");
    run_clear(&r);
}

Test(attribute_cli, missing_reference_file_exits_3)
{
    make_ref();
    make_units();
    g_autofree char *pp = path_in("ref/practices.csv");
    g_unlink(pp);
    g_autofree char *args = g_strdup_printf("-q -r %s/ref -o %s/out.csv %s/units.csv", tmpdir,
                                            tmpdir, tmpdir);
    Run r = attribute(args);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf(
        "pbc-attribute: error: could not open file \"%s/ref/practices.csv\": No such file or "
        "directory\n",
        tmpdir);
    cr_assert_str_eq(r.err, want);
    /* Nothing half-written is left behind. */
    g_autofree char *out = path_in("out.csv");
    cr_assert_not(g_file_test(out, G_FILE_TEST_EXISTS));
    run_clear(&r);
}

Test(attribute_cli, missing_registrations_and_input_exit_3)
{
    make_ref();
    make_units();
    g_autofree char *rp = path_in("ref/registrations.csv");
    g_unlink(rp);
    g_autofree char *args = g_strdup_printf("-q -r %s/ref %s/units.csv", tmpdir, tmpdir);
    Run r = attribute(args);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf(
        "pbc-attribute: error: could not open file \"%s/ref/registrations.csv\": No such file "
        "or directory\n",
        tmpdir);
    cr_assert_str_eq(r.err, want);
    run_clear(&r);

    g_autofree char *args2 = g_strdup_printf("-q -r %s/ref %s/nope.csv", tmpdir, tmpdir);
    r = attribute(args2);
    cr_assert_eq(r.status, 3);
    g_autofree char *want2 = g_strdup_printf(
        "pbc-attribute: error: could not open file \"%s/nope.csv\": No such file or directory\n",
        tmpdir);
    cr_assert_str_eq(r.err, want2);
    run_clear(&r);
}

Test(attribute_cli, no_pct_exits_2)
{
    make_ref();
    make_units();
    put("ref/pbc.conf", "[pbc]\nlookback_days = 30\n");
    g_autofree char *args = g_strdup_printf("-r %s/ref %s/units.csv", tmpdir, tmpdir);
    Run r = attribute(args);
    cr_assert_eq(r.status, 2);
    g_autofree char *want = g_strdup_printf(
        "pbc-attribute: error: no PCT given: use --pct CODE or set pct in \"%s/ref/pbc.conf\"\n"
        "hint: try \"pbc-attribute --help\"\n",
        tmpdir);
    cr_assert_str_eq(r.err, want);
    run_clear(&r);
}

Test(attribute_cli, bad_practices_row_exits_3)
{
    make_ref();
    make_units();
    put("ref/practices.csv", "practice_code,pct_code,open_date\nA81001,5QA,2006-02-30\n");
    g_autofree char *args = g_strdup_printf("-r %s/ref %s/units.csv", tmpdir, tmpdir);
    Run r = attribute(args);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf(
        "pbc-attribute: error: file \"%s/ref/practices.csv\" line 2 column \"open_date\": "
        "invalid date \"2006-02-30\"\n",
        tmpdir);
    cr_assert_str_eq(r.err, want);
    run_clear(&r);
}

/* Reads the attributed units back: unit_id -> copy. */
static GHashTable *
read_units(const char *path, GStringChunk *chunk)
{
    GError *error = NULL;
    g_autoptr(UnitIn) in = unit_in_open(path, &error);
    cr_assert_not_null(in, "%s", error ? error->message : "");
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    Unit u;
    int rc;
    while ((rc = unit_in_next(in, &u, &error)) > 0) {
        Unit *c = g_new(Unit, 1);
        unit_copy(c, &u, chunk);
        g_hash_table_insert(h, (gpointer)c->unit_id, c);
    }
    cr_assert_eq(rc, 0);
    return h;
}

static void
check_attributed(GHashTable *h)
{
    cr_assert_eq(g_hash_table_size(h), 5);
    /* 1: EXETER A81001, the hospital said A81003: mismatch */
    Unit *u = g_hash_table_lookup(h, "RA9:1");
    cr_assert_str_eq(u->attribution_method, "EXETER");
    cr_assert_str_eq(u->practice_code, "A81001");
    cr_assert(u->mismatch);
    cr_assert_str_eq(u->treatment_function_code, "110"); /* carried unchanged */
    /* 2: EXETER at A81002, open until 1 June */
    u = g_hash_table_lookup(h, "RA9:2");
    cr_assert_str_eq(u->practice_code, "A81002");
    cr_assert_str_eq(u->consortium_code, "C1");
    /* 3: deregistered from B82001 on 1 March; 1 April is 31 days on, look-back 30 */
    u = g_hash_table_lookup(h, "RA9:3");
    cr_assert_str_eq(u->attribution_method, "UNATTRIBUTED");
    cr_assert_str_eq(u->practice_code, "");
    cr_assert_str_eq(u->exeter_reason, "NOT_REGISTERED");
    cr_assert_str_eq(u->cds_reason, "NO_PRACTICE_CODE");
    /* 4: deregistered 1 April, seen 30 April: 29 days, EXETER_NEAREST, pseudo code */
    u = g_hash_table_lookup(h, "RA9:4");
    cr_assert_str_eq(u->attribution_method, "EXETER_NEAREST");
    cr_assert_str_eq(u->practice_code, "A81001");
    cr_assert_not(u->mismatch);
    /* 5: no NHS number: CDS */
    u = g_hash_table_lookup(h, "RA9:5");
    cr_assert_str_eq(u->attribution_method, "CDS");
    cr_assert_str_eq(u->practice_code, "A81003");
    cr_assert_str_eq(u->exeter_reason, "NO_NHS_NUMBER");
}

Test(attribute_cli, attributes_a_units_file_and_writes_the_audit)
{
    make_ref();
    make_units();
    g_autofree char *audit = path_in("audit");
    g_mkdir(audit, 0700);
    g_autofree char *args = g_strdup_printf("-r %s/ref -o %s/out.csv --audit-dir %s %s/units.csv",
                                            tmpdir, tmpdir, audit, tmpdir);
    Run r = attribute(args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* The log says what was read, rejected and written. */
    cr_assert(strstr(r.err, "pbc-attribute: read 4 practices") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "read 5 registration rows") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "warning: file") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "detail: INVALID_NHS_NUMBER: 1 rows, the first at line 6") != NULL,
              "%s", r.err);
    cr_assert(strstr(r.err, "wrote 5 units") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "EXETER 2, EXETER_NEAREST 1, CDS 1, UNATTRIBUTED 1") != NULL, "%s",
              r.err);
    run_clear(&r);

    g_autofree char *out = path_in("out.csv");
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600); /* patient data */
    g_autoptr(GStringChunk) chunk = g_string_chunk_new(1024);
    g_autoptr(GHashTable) h = read_units(out, chunk);
    check_attributed(h);

    g_autofree char *audit_csv = g_build_filename(audit, "attribution_audit.csv", NULL);
    g_autofree char *text = NULL;
    cr_assert(g_file_get_contents(audit_csv, &text, NULL, NULL));
    cr_assert_str_eq(text, "provider_code,activity_month,attribution_method,exeter_reason,"
                           "cds_reason,unattributed_reason,units,price_pence\n"
                           "RA9,2006-04,CDS,NO_NHS_NUMBER,,,1,0\n"
                           "RA9,2006-04,EXETER,,,,2,0\n"
                           "RA9,2006-04,EXETER_NEAREST,,,,1,0\n"
                           "RA9,2006-04,UNATTRIBUTED,NOT_REGISTERED,NO_PRACTICE_CODE,NO_PRACTICE,"
                           "1,0\n");
    g_autofree char *mm = g_build_filename(audit, "attribution_mismatch.csv", NULL);
    cr_assert(g_file_test(mm, G_FILE_TEST_EXISTS));
    g_autofree char *ooa = g_build_filename(audit, "out_of_area.csv", NULL);
    cr_assert(g_file_test(ooa, G_FILE_TEST_EXISTS));
}

Test(attribute_cli, filter_from_stdin_to_stdout_with_pct_option)
{
    make_ref();
    make_units();
    put("ref/pbc.conf", "[pbc]\nlookback_days = 30\n"); /* no pct: --pct gives it */
    g_autofree char *cmd = g_strdup_printf("%s -q -p 5QA -r %s/ref - < %s/units.csv > %s/out.csv",
                                           bin, tmpdir, tmpdir, tmpdir);
    Run r = sh(cmd);
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* Quiet: the rejected registration's warning only, no progress lines. */
    cr_assert(g_str_has_prefix(r.err, "pbc-attribute: warning: file \""), "%s", r.err);
    cr_assert(strstr(r.err, "pbc-attribute: read") == NULL, "%s", r.err);
    run_clear(&r);
    g_autofree char *out = path_in("out.csv");
    g_autoptr(GStringChunk) chunk = g_string_chunk_new(1024);
    g_autoptr(GHashTable) h = read_units(out, chunk);
    check_attributed(h);
}

Test(attribute_cli, unwritable_output_and_missing_audit_dir_exit_3)
{
    make_ref();
    make_units();
    /* --audit-dir must exist: checked before minutes of loading. */
    g_autofree char *args = g_strdup_printf("-r %s/ref --audit-dir %s/nodir %s/units.csv", tmpdir,
                                            tmpdir, tmpdir);
    Run r = attribute(args);
    cr_assert_eq(r.status, 3);
    g_autofree char *want = g_strdup_printf(
        "pbc-attribute: error: could not open audit directory \"%s/nodir\": No such file or "
        "directory\n",
        tmpdir);
    cr_assert_str_eq(r.err, want);
    run_clear(&r);

    /* An output in a directory that does not exist. */
    g_autofree char *args2 = g_strdup_printf("-q -r %s/ref -o %s/nodir/out.csv %s/units.csv",
                                             tmpdir, tmpdir, tmpdir);
    r = attribute(args2);
    cr_assert_eq(r.status, 3);
    /* It fails before loading the references: no warning about them comes first. */
    cr_assert(g_str_has_prefix(r.err, "pbc-attribute: error: could not create file \""), "%s",
              r.err);
    cr_assert(strstr(r.err, "No such file or directory") != NULL, "%s", r.err);
    run_clear(&r);
}

Test(attribute_cli, bad_units_file_exits_3_and_leaves_no_output)
{
    make_ref();
    put("units.csv", "not,a,units,file\n1,2,3,4\n");
    g_autofree char *args = g_strdup_printf("-q -r %s/ref -o %s/out.csv %s/units.csv", tmpdir,
                                            tmpdir, tmpdir);
    Run r = attribute(args);
    cr_assert_eq(r.status, 3);
    cr_assert(g_str_has_prefix(r.err, "pbc-attribute: error: file \""), "%s", r.err);
    run_clear(&r);
    g_autofree char *out = path_in("out.csv");
    cr_assert_not(g_file_test(out, G_FILE_TEST_EXISTS));
    /* No temporary file is left behind either. */
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL)
        cr_assert_not(g_str_has_prefix(name, ".out.csv"), "left %s", name);
    g_dir_close(d);
}

/* R-A1, R-A2 give the same units whether the registrations come from the extract or
   from an index file made of it; a stale index is not used. */
Test(attribute_cli, registry_index_made_once_gives_the_same_units)
{
    make_ref();
    make_units();
    /* --make-index: the registrations loaded and written, rejects reported as usual. */
    g_autofree char *args = g_strdup_printf("-r %s/ref --make-index %s/reg.idx", tmpdir, tmpdir);
    Run r = attribute(args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "detail: INVALID_NHS_NUMBER: 1 rows, the first at line 6") != NULL,
              "%s", r.err);
    cr_assert(strstr(r.err, "wrote the registration index") != NULL, "%s", r.err);
    run_clear(&r);
    g_autofree char *idx = path_in("reg.idx");
    struct stat st;
    cr_assert_eq(stat(idx, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600); /* NHS numbers: patient data */

    /* Read back: the same log of the registrations' rejects, the same units byte for byte. */
    g_autofree char *plain = g_strdup_printf("-q -r %s/ref -o %s/plain.csv %s/units.csv", tmpdir,
                                             tmpdir, tmpdir);
    r = attribute(plain);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_clear(&r);
    g_autofree char *with = g_strdup_printf("-r %s/ref --registry-index %s/reg.idx -o %s/idx.csv "
                                            "%s/units.csv", tmpdir, tmpdir, tmpdir, tmpdir);
    r = attribute(with);
    cr_assert_eq(r.status, 0, "%s", r.err);
    g_autofree char *from = g_strdup_printf("read 5 registration rows from \"%s\"", idx);
    cr_assert(strstr(r.err, from) != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "detail: INVALID_NHS_NUMBER: 1 rows, the first at line 6") != NULL,
              "%s", r.err);
    cr_assert(strstr(r.err, "warning: not using") == NULL, "%s", r.err);
    run_clear(&r);
    g_autofree char *a = NULL, *b = NULL;
    gsize alen, blen;
    g_autofree char *pa = path_in("plain.csv"), *pb = path_in("idx.csv");
    cr_assert(g_file_get_contents(pa, &a, &alen, NULL));
    cr_assert(g_file_get_contents(pb, &b, &blen, NULL));
    cr_assert(alen == blen && memcmp(a, b, alen) == 0);

    /* New registrations: the index is stale; a warning says so and the registrations
       themselves are read, so the answer follows them (9434765919 now at A81003). */
    g_usleep(20000);
    put("ref/registrations.csv", "nhs_number,practice_code,registration_date\n"
                                 "9434765919,A81003,2000-01-01\n");
    r = attribute(with);
    cr_assert_eq(r.status, 0, "%s", r.err);
    g_autofree char *warn = g_strdup_printf(
        "pbc-attribute: warning: not using the index: registration index \"%s\" was made from "
        "another version of the registrations: it is stale; reading \"%s/ref/registrations.csv\" "
        "instead\n", idx, tmpdir);
    cr_assert(strstr(r.err, warn) != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "EXETER 1,") != NULL, "%s", r.err);
    run_clear(&r);
    g_autoptr(GStringChunk) chunk = g_string_chunk_new(1024);
    g_autoptr(GHashTable) h = read_units(pb, chunk);
    const Unit *u = g_hash_table_lookup(h, "RA9:1");
    cr_assert_not_null(u);
    cr_assert_str_eq(u->practice_code, "A81003");

    /* --make-index takes no INPUT. */
    g_autofree char *bad = g_strdup_printf("-r %s/ref --make-index %s/x.idx %s/units.csv", tmpdir,
                                           tmpdir, tmpdir);
    r = attribute(bad);
    cr_assert_eq(r.status, 2, "%s", r.err);
    g_autofree char *usage = g_strdup_printf("pbc-attribute: error: --make-index takes no INPUT: "
                                             "\"%s/units.csv\"\n", tmpdir);
    cr_assert(g_str_has_prefix(r.err, usage), "%s", r.err);
    run_clear(&r);
}
