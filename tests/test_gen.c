/*
 * test_gen.c: pbc-gen as a black box: help and usage errors with their exit
 * codes, byte-identical output for the same seed (also across --jobs), a
 * different data set for another seed, every input file of SPEC §3 present
 * with its required columns, and valid modulus-11 NHS numbers.
 *
 * The binary is found in $PBC_BIN (a directory), else build/asan/bin; the
 * tests run from the repository root.  Runs use a tiny world (a few hundred
 * patients, three months) so that they stay fast under the sanitizers.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <zlib.h>

static char *tmpdir;
static char *bin;

/* The tiny world every run here uses (plus --out and --seed). */
#define TINY "--patients 600 --practices 9 --run-practices 6 --pcts 2 --providers 2 " \
             "--months 3 --spells-per-month 20 --op-per-month 40 --ae-per-month 15 " \
             "--hrgs 40 --quiet"

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
    tmpdir = g_dir_make_tmp("test_gen-XXXXXX", NULL);
    cr_assert_not_null(tmpdir);
    const char *dir = g_getenv("PBC_BIN");
    bin = g_build_filename(dir && *dir ? dir : "build/asan/bin", "pbc-gen", NULL);
    cr_assert(g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE), "no binary at %s", bin);
}

static void
teardown(void)
{
    rm_tree(tmpdir);
    g_free(tmpdir);
    g_free(bin);
}

typedef struct {
    int status;
    char *out;
    char *err;
} Run;

/* Runs "pbc-gen ARGS" through the shell; returns exit status and output. */
static Run
gen(const char *args)
{
    Run r = { 0 };
    g_autofree char *cmd = g_strdup_printf("%s %s", bin, args);
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    int wait_status;
    GError *error = NULL;
    cr_assert(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out,
                           &r.err, &wait_status, &error),
              "cannot run %s: %s", cmd, error ? error->message : "?");
    r.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
    return r;
}

static void
run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

/* Generates the tiny world with @seed (and @extra options) into @dir. */
static void
gen_tiny(const char *dir, int seed, const char *extra)
{
    g_autofree char *args = g_strdup_printf("--out %s --seed %d " TINY " %s", dir, seed,
                                            extra ? extra : "");
    Run r = gen(args);
    cr_assert_eq(r.status, 0, "pbc-gen %s: exit %d: %s", args, r.status, r.err);
    run_clear(&r);
}

/* Whole content of a plain or gzip (any number of members) file. */
static GString *
slurp(const char *path)
{
    gzFile gz = gzopen(path, "rb");
    cr_assert_not_null(gz, "cannot open %s", path);
    GString *s = g_string_new(NULL);
    char buf[65536];
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0)
        g_string_append_len(s, buf, n);
    cr_assert_geq(n, 0, "corrupt gzip stream in %s", path);
    gzclose(gz);
    return s;
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Sorted names of the regular files in @dir. */
static GPtrArray *
list_dir(const char *dir)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    cr_assert_not_null(d, "cannot open %s", dir);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, cmp_names);
    return names;
}

/* Asserts that trees @a and @b (their in/ and ref/) hold the same files
 * with the same bytes. */
static void
assert_same_tree(const char *a, const char *b)
{
    static const char *const subs[] = { "in", "ref" };
    for (gsize s = 0; s < G_N_ELEMENTS(subs); s++) {
        g_autofree char *da = g_build_filename(a, subs[s], NULL);
        g_autofree char *db = g_build_filename(b, subs[s], NULL);
        GPtrArray *na = list_dir(da), *nb = list_dir(db);
        cr_assert_eq(na->len, nb->len, "%s: %u files vs %u", subs[s], na->len, nb->len);
        for (guint i = 0; i < na->len; i++) {
            const char *n = g_ptr_array_index(na, i);
            cr_assert_str_eq(n, (const char *) g_ptr_array_index(nb, i));
            g_autofree char *pa = g_build_filename(da, n, NULL);
            g_autofree char *pb = g_build_filename(db, n, NULL);
            g_autofree char *ca = NULL, *cb = NULL;
            gsize la, lb;
            cr_assert(g_file_get_contents(pa, &ca, &la, NULL));
            cr_assert(g_file_get_contents(pb, &cb, &lb, NULL));
            cr_assert(la == lb && memcmp(ca, cb, la) == 0, "%s/%s differs", subs[s], n);
        }
        g_ptr_array_free(na, TRUE);
        g_ptr_array_free(nb, TRUE);
    }
}

/* The header of a CSV text: first record, BOM stripped, names trimmed and
 * lower-cased (SPEC §3), quotes removed (header names hold none). */
static GStrv
header_of(const GString *text)
{
    const char *p = text->str;
    if (g_str_has_prefix(p, "\xEF\xBB\xBF"))
        p += 3;
    const char *nl = strchr(p, '\n');
    g_autofree char *line = g_strndup(p, nl ? (gsize) (nl - p) : strlen(p));
    g_strdelimit(line, "\"\r", ' ');
    GStrv f = g_strsplit(line, ",", -1);
    for (int i = 0; f[i]; i++) {
        g_strstrip(f[i]);
        char *low = g_ascii_strdown(f[i], -1);
        g_free(f[i]);
        f[i] = low;
    }
    return f;
}

/* Modulus 11 (NHS Data Dictionary), written independently of the
 * generator's own nhsno.c. */
static gboolean
mod11_ok(const char *s, gsize n)
{
    if (n != 10)
        return FALSE;
    int sum = 0;
    for (int i = 0; i < 10; i++)
        if (!g_ascii_isdigit(s[i]))
            return FALSE;
    for (int i = 0; i < 9; i++)
        sum += (s[i] - '0') * (10 - i);
    int c = 11 - sum % 11;
    if (c == 11)
        c = 0;
    return c != 10 && c == s[9] - '0';
}

TestSuite(gen, .init = setup, .fini = teardown, .timeout = 240);

Test(gen, help_goes_to_stdout_with_examples)
{
    Run r = gen("--help");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "Usage:") && strstr(r.out, "Examples:"));
    cr_assert(strstr(r.out, "national-month"), "scales listed");
    cr_assert_str_empty(r.err);
    run_clear(&r);
}

Test(gen, version)
{
    Run r = gen("--version");
    cr_assert_eq(r.status, 0);
    cr_assert(g_str_has_prefix(r.out, "pbc-gen "));
    run_clear(&r);
}

/* A bad invocation: its arguments (%s = the temporary directory), exit
 * status and a piece of the message on stderr.  Arrays, not pointers:
 * Criterion copies parameters into the test's own process. */
typedef struct {
    char args[96];
    int status;
    char message[64];
} BadCase;

ParameterizedTestParameters(gen, bad_invocations)
{
    static BadCase cases[] = {
        /* no output directory */
        { .args = "", .status = 2, .message = "no output directory given" },
        /* unknown preset */
        { .args = "-o %s/x --scale huge", .status = 2, .message = "unknown scale \"huge\"" },
        /* month 13 */
        { .args = "-o %s/x --period 2006-13", .status = 2, .message = "invalid period" },
        /* gzip level out of range */
        { .args = "-o %s/x -z 0", .status = 2, .message = "invalid gzip level \"0\"" },
        /* an option that does not exist */
        { .args = "-o %s/x --frobnicate", .status = 2, .message = "try \"pbc-gen --help\"" },
        /* a stray argument */
        { .args = "-o %s/x extra", .status = 2, .message = "unexpected argument \"extra\"" },
        /* fewer patients than practices */
        { .args = "-o %s/x --patients 3", .status = 2, .message = "cannot make 3 patients" },
        /* the real tariff cannot be read: an I/O error */
        { .args = "-o %s/x --tariff-source %s/none.csv", .status = 3,
          .message = "could not read tariff source" },
    };
    return cr_make_param_array(BadCase, cases, G_N_ELEMENTS(cases));
}

ParameterizedTest(BadCase *c, gen, bad_invocations)
{
    g_autofree char *args = g_strdup_printf(c->args, tmpdir, tmpdir);
    Run r = gen(args);
    cr_assert_eq(r.status, c->status, "pbc-gen %s: exit %d, want %d (%s)", args, r.status,
                 c->status, r.err);
    cr_assert(g_str_has_prefix(r.err, "pbc-gen: error: "), "message style: %s", r.err);
    cr_assert(strstr(r.err, c->message), "stderr lacks \"%s\": %s", c->message, r.err);
    cr_assert_str_empty(r.out);
    run_clear(&r);
}

Test(gen, refuses_a_non_empty_directory_without_force)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    gen_tiny(a, 1, NULL);
    g_autofree char *args = g_strdup_printf("--out %s " TINY, a);
    Run r = gen(args);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "is not empty") && strstr(r.err, "hint: use --force"), "%s", r.err);
    run_clear(&r);
    /* With --force it replaces the files, and the result is unchanged. */
    g_autofree char *b = g_build_filename(tmpdir, "b", NULL);
    gen_tiny(b, 1, NULL);
    gen_tiny(a, 1, "--force");
    assert_same_tree(a, b);
}

Test(gen, same_seed_gives_identical_bytes)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    g_autofree char *b = g_build_filename(tmpdir, "b", NULL);
    gen_tiny(a, 42, NULL);
    gen_tiny(b, 42, NULL);
    assert_same_tree(a, b);
}

Test(gen, jobs_do_not_change_the_output)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    g_autofree char *b = g_build_filename(tmpdir, "b", NULL);
    gen_tiny(a, 7, NULL);
    gen_tiny(b, 7, "--jobs 4");
    assert_same_tree(a, b);
}

Test(gen, another_seed_gives_other_data)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    g_autofree char *b = g_build_filename(tmpdir, "b", NULL);
    gen_tiny(a, 1, NULL);
    gen_tiny(b, 2, NULL);
    g_autofree char *ra = g_build_filename(a, "ref", "registrations.csv.gz", NULL);
    g_autofree char *rb = g_build_filename(b, "ref", "registrations.csv.gz", NULL);
    GString *ta = slurp(ra), *tb = slurp(rb);
    cr_assert(!g_string_equal(ta, tb), "seeds 1 and 2 gave the same registrations");
    g_string_free(ta, TRUE);
    g_string_free(tb, TRUE);
}

Test(gen, writes_every_input_of_spec_section_3)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    gen_tiny(a, 3, "--budgets --period 2006-09");
    static const char *const ref[] = {
        "registrations.csv.gz", "practices.csv", "populations.csv", "tariff_apc.csv",
        "tariff_op.csv", "tariff_op_procedure.csv", "tariff_ae.csv", "tariff_params.csv",
        "mff.csv", "local_prices.csv", "exclusions.csv", "budgets.csv", "pbc.conf",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(ref); i++) {
        g_autofree char *p = g_build_filename(a, "ref", ref[i], NULL);
        cr_assert(g_file_test(p, G_FILE_TEST_IS_REGULAR), "missing ref/%s", ref[i]);
    }
    g_autofree char *conf = g_build_filename(a, "ref", "pbc.conf", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    cr_assert(g_key_file_load_from_file(kf, conf, G_KEY_FILE_NONE, NULL));
    g_autofree char *pct = g_key_file_get_string(kf, "pbc", "pct", NULL);
    cr_assert_str_eq(pct, "5QA");

    /* One file per provider (RH8, RA9), dataset and month (July to
     * September 2006), September re-sent; no hidden leftovers. */
    static const char *const ds[] = { "apc", "op", "ae" };
    static const char *const prov[] = { "RH8", "RA9" };
    static const char *const months[] = { "2006-07", "2006-08", "2006-09" };
    g_autofree char *in = g_build_filename(a, "in", NULL);
    GPtrArray *names = list_dir(in);
    for (gsize d = 0; d < 3; d++)
        for (gsize p = 0; p < 2; p++)
            for (gsize m = 0; m < 4; m++) {
                const char *month = m < 3 ? months[m] : "2006-09_v2";
                g_autofree char *stem = g_strdup_printf("%s_%s_%s.csv", ds[d], prov[p], month);
                gboolean found = FALSE;
                for (guint i = 0; i < names->len; i++) {
                    const char *n = g_ptr_array_index(names, i);
                    if (strcmp(n, stem) == 0
                        || (g_str_has_prefix(n, stem) && strcmp(n + strlen(stem), ".gz") == 0))
                        found = TRUE;
                }
                cr_assert(found, "no file %s[.gz] in in/", stem);
            }
    for (guint i = 0; i < names->len; i++)
        cr_assert_neq(((const char *) g_ptr_array_index(names, i))[0], '.',
                      "hidden file left in in/");
    g_ptr_array_free(names, TRUE);
}

/* Every activity file names its dataset by its header (SPEC §3.1) and
 * carries that dataset's required columns, whatever its quirks. */
Test(gen, activity_headers_carry_the_required_columns)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    gen_tiny(a, 5, NULL);
    static const char *const common[] = { "cds_unique_id", "cds_update_type",
                                          "cds_applicable_datetime", "provider_code" };
    static const char *const apc[] = { "hospital_spell_no", "episode_no", "admission_method",
                                       "patient_classification", "admission_date" };
    static const char *const op[] = { "attendance_id", "appointment_date", "first_attendance",
                                      "attended_or_dna", "treatment_function_code" };
    static const char *const ae[] = { "attendance_id", "arrival_date",
                                      "ae_attendance_category" };
    g_autofree char *in = g_build_filename(a, "in", NULL);
    GPtrArray *names = list_dir(in);
    cr_assert_gt(names->len, 18u);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        g_autofree char *p = g_build_filename(in, n, NULL);
        GString *text = slurp(p);
        g_auto(GStrv) h = header_of(text);
        const char *const *need = g_str_has_prefix(n, "apc_") ? apc
                                : g_str_has_prefix(n, "op_") ? op : ae;
        gsize nneed = g_str_has_prefix(n, "apc_") ? G_N_ELEMENTS(apc)
                    : g_str_has_prefix(n, "op_") ? G_N_ELEMENTS(op) : G_N_ELEMENTS(ae);
        for (gsize k = 0; k < G_N_ELEMENTS(common); k++)
            cr_assert(g_strv_contains((const char *const *) h, common[k]), "%s lacks %s", n,
                      common[k]);
        for (gsize k = 0; k < nneed; k++)
            cr_assert(g_strv_contains((const char *const *) h, need[k]), "%s lacks %s", n,
                      need[k]);
        g_string_free(text, TRUE);
    }
    g_ptr_array_free(names, TRUE);
}

/* Counts registration rows whose NHS number passes / fails modulus 11
 * (the number is the nhs_number column, wherever the header puts it). */
static void
count_nhs(const char *dir, int *valid, int *invalid)
{
    g_autofree char *p = g_build_filename(dir, "ref", "registrations.csv.gz", NULL);
    GString *text = slurp(p);
    g_auto(GStrv) h = header_of(text);
    int col = -1;
    for (int i = 0; h[i]; i++)
        if (strcmp(h[i], "nhs_number") == 0)
            col = i;
    cr_assert_geq(col, 0, "no nhs_number column");
    *valid = *invalid = 0;
    g_auto(GStrv) lines = g_strsplit(text->str, "\n", -1);
    for (int ln = 1; lines[ln]; ln++) {
        g_strchomp(lines[ln]);
        if (!lines[ln][0])
            continue;
        g_auto(GStrv) f = g_strsplit(lines[ln], ",", -1);
        cr_assert_gt(g_strv_length(f), (guint) col);
        const char *n = g_strstrip(f[col]);
        if (mod11_ok(n, strlen(n)))
            (*valid)++;
        else
            (*invalid)++;
    }
    g_string_free(text, TRUE);
}

Test(gen, nhs_numbers_are_valid_modulus_11)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    gen_tiny(a, 9, "--no-rejects");
    int valid, invalid;
    count_nhs(a, &valid, &invalid);
    cr_assert_gt(valid, 600, "about 1.5 rows per patient");
    cr_assert_eq(invalid, 0, "%d invalid NHS numbers without --no-rejects", invalid);
}

Test(gen, deliberate_bad_registration_rows_are_few)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    gen_tiny(a, 9, NULL);
    int valid, invalid;
    count_nhs(a, &valid, &invalid);
    cr_assert_gt(invalid, 0, "the deliberate invalid and blank numbers");
    cr_assert_lt(invalid * 100, valid, "bad rows stay under 1%%");
}

Test(gen, no_quirks_gives_clean_files)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    gen_tiny(a, 11, "--no-quirks");
    g_autofree char *in = g_build_filename(a, "in", NULL);
    GPtrArray *names = list_dir(in);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        cr_assert(g_str_has_suffix(n, ".csv.gz"), "%s is not gzip", n);
        g_autofree char *p = g_build_filename(in, n, NULL);
        GString *text = slurp(p);
        cr_assert(!g_str_has_prefix(text->str, "\xEF\xBB\xBF"), "%s has a BOM", n);
        cr_assert_null(strchr(text->str, '\r'), "%s has CR", n);
        cr_assert(g_str_has_prefix(text->str, "cds_unique_id,cds_update_type,"),
                  "%s: header not canonical", n);
        g_string_free(text, TRUE);
    }
    g_ptr_array_free(names, TRUE);
}

/* Regression: generated provider codes once collided, so that one
 * provider's files silently replaced another's.  40 providers must give 40
 * distinct codes, hence 40 first files per dataset and month. */
Test(gen, provider_codes_are_distinct)
{
    g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
    g_autofree char *args = g_strdup_printf(
        "--out %s --patients 4000 --practices 40 --run-practices 0 --pcts 20 --providers 40 "
        "--months 1 --spells-per-month 200 --op-per-month 200 --ae-per-month 200 --hrgs 40 "
        "--quiet", a);
    Run r = gen(args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_clear(&r);
    g_autofree char *in = g_build_filename(a, "in", NULL);
    GPtrArray *names = list_dir(in);
    GHashTable *codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        if (!g_str_has_prefix(n, "ae_"))
            continue;
        const char *end = strchr(n + 3, '_');
        cr_assert_not_null(end);
        g_hash_table_add(codes, g_strndup(n + 3, (gsize) (end - n - 3)));
    }
    cr_assert_eq(g_hash_table_size(codes), 40u);
    g_hash_table_destroy(codes);
    g_ptr_array_free(names, TRUE);
}
