/*
 * test_tariff.c: the pricing reference loaders (lib/tariff.c, SPEC §3.2).
 *
 * Each test writes a REF directory under a g_dir_make_tmp() directory: a
 * minimal valid set of files (headers, a row or two), with one file
 * replaced by the case's content, then loads it.  Values are worked out by
 * hand: "1234.56" pounds is 123456 pence, "1.043210" is 1043210 millionths.
 */
#include "log.h"
#include "tariff.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

static char *dir;

static void
setup(void)
{
    pbc_log_init("test_tariff");
    pbc_log_set_verbose(FALSE);
    dir = g_dir_make_tmp("pbc-tariff-XXXXXX", NULL);
    cr_assert_not_null(dir);
}

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
teardown(void)
{
    rm_rf(dir);
    g_free(dir);
}

TestSuite(tariff, .init = setup, .fini = teardown);

static void
write_file(const char *name, const char *content)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    cr_assert(g_file_set_contents(p, content, -1, NULL), "writing %s", p);
}

static void
remove_file(const char *name)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    g_unlink(p);
}

static void
write_gz(const char *name, const char *content)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    gzFile gz = gzopen(p, "wb");
    cr_assert_not_null(gz);
    cr_assert_eq(gzwrite(gz, content, (unsigned)strlen(content)), (int)strlen(content));
    cr_assert_eq(gzclose(gz), Z_OK);
}

#define APC_HEADER                                                                          \
    "fin_year,hrg,hrg_name,elective_tariff,day_case_tariff,non_elective_tariff,"            \
    "elective_trim_days,non_elective_trim_days,excess_bed_day_tariff,sse_tariff\n"

/* The minimal valid REF: one row in most files, headers only in the rest. */
static void
write_valid_ref(void)
{
    write_file("tariff_apc.csv", APC_HEADER
               "2006/07,AA01A,Some HRG,1234.56,,1500,5,10,200.5,300\n"
               "2006/07,AA02B,\"Name, with comma\",100.01,80,,,,,\n");
    write_file("tariff_op.csv", "fin_year,treatment_function_code,first_tariff,follow_up_tariff\n"
                                "2006/07,100,150,\n");
    write_file("tariff_ae.csv", "fin_year,hrg,tariff\n2006/07,VB01Z,99.99\n2006/07,VB02Z,\n");
    write_file("tariff_params.csv", "fin_year,sse_max_los,sse_min_age,sse_percent\n"
                                    "2006/07,1,19,50.5\n");
    write_file("mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,1.043210\n");
    write_file("local_prices.csv", "fin_year,provider_code,pod,code,price\n"
                                   "2006/07,RA9,REG,AA01A,250\n2006/07,*,REG,AA01A,200\n");
    write_file("exclusions.csv", "fin_year,pod,code,scope\n"
                                 "2006/07,NEL,AA02B,PCT_HELD\n2006/07,*,100,PCT_HELD\n"
                                 "2006/07,EL,AA01A,OTHER\n");
}

static Tariffs *
load_ok(void)
{
    g_autoptr(GError) e = NULL;
    Tariffs *t = tariffs_load(dir, &e);
    cr_assert_not_null(t, "load failed: %s", e ? e->message : "?");
    return t;
}

/* SPEC §3.2: pounds to pence exactly; blank means absent, not zero. */
Test(tariff, apc_values_and_blanks)
{
    write_valid_ref();
    g_autoptr(Tariffs) t = load_ok();
    const TariffApc *a = tariff_apc_lookup(t, 2006, "AA01A");
    cr_assert_not_null(a);
    cr_assert_eq(a->elective, 123456);
    cr_assert_eq(a->day_case, TARIFF_NONE, "blank day case tariff is absent (R-P2)");
    cr_assert_eq(a->non_elective, 150000);
    cr_assert_eq(a->elective_trim, 5);
    cr_assert_eq(a->non_elective_trim, 10);
    cr_assert_eq(a->excess_bed_day, 20050);
    cr_assert_eq(a->sse, 30000);
    const TariffApc *b = tariff_apc_lookup(t, 2006, "AA02B");
    cr_assert_not_null(b);
    cr_assert_eq(b->elective, 10001);
    cr_assert_eq(b->day_case, 8000);
    cr_assert_eq(b->non_elective, TARIFF_NONE);
    cr_assert_eq(b->elective_trim, -1, "blank trim is absent (R-P3)");
    cr_assert_eq(b->non_elective_trim, -1);
    cr_assert_eq(b->excess_bed_day, TARIFF_NONE);
    cr_assert_eq(b->sse, TARIFF_NONE);
    /* Keyed by year and code. */
    cr_assert_null(tariff_apc_lookup(t, 2007, "AA01A"));
    cr_assert_null(tariff_apc_lookup(t, 2006, "ZZ99Z"));
    cr_assert_null(tariff_apc_lookup(t, 2006, ""));
    cr_assert_null(tariff_apc_lookup(t, 2006, NULL));
    cr_assert(tariff_year_has(t, TARIFF_TABLE_APC, 2006));
    cr_assert_not(tariff_year_has(t, TARIFF_TABLE_APC, 2007));
}

Test(tariff, op_ae_params)
{
    write_valid_ref();
    g_autoptr(Tariffs) t = load_ok();
    const TariffOp *o = tariff_op_lookup(t, 2006, "100");
    cr_assert_not_null(o);
    cr_assert_eq(o->first, 15000);
    cr_assert_eq(o->follow_up, TARIFF_NONE);
    cr_assert_null(tariff_op_lookup(t, 2006, "101"));
    cr_assert_eq(tariff_ae_lookup(t, 2006, "VB01Z"), 9999);
    cr_assert_eq(tariff_ae_lookup(t, 2006, "VB02Z"), TARIFF_NONE, "blank price is absent");
    cr_assert_eq(tariff_ae_lookup(t, 2006, "VB03Z"), TARIFF_NONE);
    /* tariff_op_procedure.csv is optional: absent, no procedure tariffs. */
    cr_assert_eq(tariff_op_procedure_lookup(t, 2006, "WH01Z"), TARIFF_NONE);
    const TariffParams *p = tariff_params_lookup(t, 2006);
    cr_assert_not_null(p);
    cr_assert_eq(p->sse_max_los, 1);
    cr_assert_eq(p->sse_min_age, 19);
    cr_assert_eq(p->sse_percent, 50500000, "50.5%% in millionths");
    cr_assert_null(tariff_params_lookup(t, 2007), "no row: no SSE that year (R-P5)");
}

/* R-P6: the MFF of exactly the provider code and year; 1 where not listed. */
Test(tariff, mff_exact_code)
{
    write_valid_ref();
    g_autoptr(Tariffs) t = load_ok();
    cr_assert_eq(tariff_mff(t, 2006, "RA9"), 1043210);
    cr_assert_eq(tariff_mff(t, 2006, "RA901"), 1000000, "a site does not inherit its trust's MFF");
    cr_assert_eq(tariff_mff(t, 2006, "RXX"), 1000000);
    cr_assert_eq(tariff_mff(t, 2007, "RA9"), 1000000);
}

/* R-P7: the provider's own local price before the "*" row. */
Test(tariff, local_price_precedence)
{
    write_valid_ref();
    g_autoptr(Tariffs) t = load_ok();
    cr_assert_eq(tariff_local_price(t, 2006, "RA9", "REG", "AA01A"), 25000);
    cr_assert_eq(tariff_local_price(t, 2006, "RBB", "REG", "AA01A"), 20000);
    cr_assert_eq(tariff_local_price(t, 2006, "RA9", "EL", "AA01A"), TARIFF_NONE, "own POD only");
    cr_assert_eq(tariff_local_price(t, 2006, "RA9", "REG", ""), TARIFF_NONE, "blank code");
    cr_assert_eq(tariff_local_price(t, 2007, "RA9", "REG", "AA01A"), TARIFF_NONE);
}

/* R-P8: PCT_HELD rows by POD or "*"; other scopes ignored. */
Test(tariff, exclusions)
{
    write_valid_ref();
    g_autoptr(Tariffs) t = load_ok();
    cr_assert(tariff_pct_held(t, 2006, "NEL", "AA02B"));
    cr_assert_not(tariff_pct_held(t, 2006, "EL", "AA02B"), "POD-specific row");
    cr_assert(tariff_pct_held(t, 2006, "OPFA", "100"), "\"*\" matches any POD");
    cr_assert(tariff_pct_held(t, 2006, "OPTEL", "100"));
    cr_assert_not(tariff_pct_held(t, 2006, "EL", "AA01A"), "scope OTHER is ignored");
    cr_assert_not(tariff_pct_held(t, 2007, "NEL", "AA02B"), "another year");
    cr_assert_not(tariff_pct_held(t, 2006, "NEL", ""));
}

/* SPEC §3: headers in any order and case, unknown columns ignored, BOM, CRLF, gzip. */
Test(tariff, layout_tolerance_and_gzip)
{
    write_valid_ref();
    remove_file("mff.csv");
    write_gz("mff.csv.gz", "\xEF\xBB\xBFMFF, Extra ,Provider_Code,FIN_YEAR\r\n1.5,x,RBB,2006/07\r\n");
    write_file("tariff_op_procedure.csv", "hrg,tariff,fin_year\nWH01Z,120,2006/07\nWH02Z,,2006/07\n");
    g_autoptr(Tariffs) t = load_ok();
    cr_assert_eq(tariff_mff(t, 2006, "RBB"), 1500000);
    cr_assert_eq(tariff_op_procedure_lookup(t, 2006, "WH01Z"), 12000);
    cr_assert_eq(tariff_op_procedure_lookup(t, 2006, "WH02Z"), TARIFF_NONE);
    const char *const *files = tariffs_files(t);
    int n = 0;
    gboolean gz = FALSE;
    for (; files[n]; n++)
        gz = gz || g_str_has_suffix(files[n], "mff.csv.gz");
    cr_assert_eq(n, 8, "eight files read");
    cr_assert(gz);
}

/* MFF bounds are inclusive: 0.5 and 2.0 load. */
Test(tariff, mff_bounds_inclusive)
{
    write_valid_ref();
    write_file("mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,0.5\n2006/07,RBB,2.000000\n");
    g_autoptr(Tariffs) t = load_ok();
    cr_assert_eq(tariff_mff(t, 2006, "RA9"), 500000);
    cr_assert_eq(tariff_mff(t, 2006, "RBB"), 2000000);
}

/* Several years in one file, each its own key space. */
Test(tariff, several_years)
{
    write_valid_ref();
    write_file("tariff_op.csv", "fin_year,treatment_function_code,first_tariff,follow_up_tariff\n"
                                "2006/07,100,150,75\n2007/08,100,160,80.5\n");
    g_autoptr(Tariffs) t = load_ok();
    cr_assert_eq(tariff_op_lookup(t, 2006, "100")->follow_up, 7500);
    cr_assert_eq(tariff_op_lookup(t, 2007, "100")->follow_up, 8050);
    cr_assert(tariff_year_has(t, TARIFF_TABLE_OP, 2007));
    cr_assert_not(tariff_year_has(t, TARIFF_TABLE_AE, 2007));
}

/* The real NHS Payment Scheme 2024/25 APC tariff: 2,405 HRGs, blank trims. */
Test(tariff, real_tariff_2024_25)
{
    write_valid_ref();
    g_autofree char *real = NULL;
    gsize len;
    cr_assert(g_file_get_contents("data/nhs-tariff-2024-25/tariff_apc.csv", &real, &len, NULL),
              "run from the repository root");
    write_file("tariff_apc.csv", real);
    g_autoptr(Tariffs) t = load_ok();
    g_auto(GStrv) lines = g_strsplit(real, "\n", -1);
    int hrgs = 0;
    for (int i = 1; lines[i]; i++) {
        if (lines[i][0] == '\0')
            continue;
        g_auto(GStrv) f = g_strsplit(lines[i], ",", 3);
        cr_assert_str_eq(f[0], "2024/25");
        const TariffApc *a = tariff_apc_lookup(t, 2024, f[1]);
        cr_assert_not_null(a, "HRG %s", f[1]);
        cr_assert_eq(a->elective_trim, -1);
        cr_assert_eq(a->non_elective_trim, -1);
        cr_assert_eq(a->excess_bed_day, TARIFF_NONE);
        hrgs++;
    }
    cr_assert_eq(hrgs, 2405);
    /* First row: 2024/25,AA22C,,9647,9647,11113,,,, */
    const TariffApc *a = tariff_apc_lookup(t, 2024, "AA22C");
    cr_assert_eq(a->elective, 964700);
    cr_assert_eq(a->day_case, 964700);
    cr_assert_eq(a->non_elective, 1111300);
    cr_assert_eq(a->sse, TARIFF_NONE);
}

/* --- bad reference data: fatal, naming file, line and column -------------- */

/* Arrays, not pointers: Criterion copies parameters into another process. */
typedef struct {
    char file[32];         /* file replaced */
    char content[256];
    char message[256];     /* expected message, DIR standing for the directory */
} BadCase;

static BadCase bad_cases[] = {
    /* a duplicate (fin_year, hrg) */
    {"tariff_apc.csv", APC_HEADER "2006/07,AA01A,,1,,,,,,\n2006/07,AA01A,,2,,,,,,\n",
     "file \"DIR/tariff_apc.csv\" line 3 column \"hrg\": duplicate key \"2006/07, AA01A\" "
     "(first defined on line 2)"},
    /* a negative price */
    {"tariff_apc.csv", APC_HEADER "2006/07,AA01A,,1,,-1500,,,,\n",
     "file \"DIR/tariff_apc.csv\" line 2 column \"non_elective_tariff\": negative price \"-1500\""},
    /* three decimals: not pounds and pence */
    {"tariff_apc.csv", APC_HEADER "2006/07,AA01A,,12.345,,,,,,\n",
     "file \"DIR/tariff_apc.csv\" line 2 column \"elective_tariff\": invalid price \"12.345\""},
    /* a currency sign */
    {"tariff_op.csv", "fin_year,treatment_function_code,first_tariff,follow_up_tariff\n"
                      "2006/07,100,£150,\n",
     "file \"DIR/tariff_op.csv\" line 2 column \"first_tariff\": invalid price \"£150\""},
    /* a negative trim point */
    {"tariff_apc.csv", APC_HEADER "2006/07,AA01A,,1,,,-2,,,\n",
     "file \"DIR/tariff_apc.csv\" line 2 column \"elective_trim_days\": invalid number \"-2\""},
    /* a fractional trim point */
    {"tariff_apc.csv", APC_HEADER "2006/07,AA01A,,1,,,,2.5,,\n",
     "file \"DIR/tariff_apc.csv\" line 2 column \"non_elective_trim_days\": invalid number \"2.5\""},
    /* the second year part must follow the first */
    {"tariff_apc.csv", APC_HEADER "2006/08,AA01A,,1,,,,,,\n",
     "file \"DIR/tariff_apc.csv\" line 2 column \"fin_year\": invalid financial year \"2006/08\""},
    {"tariff_ae.csv", "fin_year,hrg,tariff\n2006,VB01Z,1\n",
     "file \"DIR/tariff_ae.csv\" line 2 column \"fin_year\": invalid financial year \"2006\""},
    {"tariff_ae.csv", "fin_year,hrg,tariff\n2006/07,,1\n",
     "file \"DIR/tariff_ae.csv\" line 2 column \"hrg\": missing value"},
    /* an MFF above 2.0: a percentage typed as a factor */
    {"mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,104.3\n",
     "file \"DIR/mff.csv\" line 2 column \"mff\": market forces factor \"104.3\" out of range "
     "(0.5 to 2.0)"},
    /* just below 0.5 */
    {"mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,0.499999\n",
     "file \"DIR/mff.csv\" line 2 column \"mff\": market forces factor \"0.499999\" out of range "
     "(0.5 to 2.0)"},
    /* seven decimals */
    {"mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,1.0432101\n",
     "file \"DIR/mff.csv\" line 2 column \"mff\": invalid market forces factor \"1.0432101\""},
    {"mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,\n",
     "file \"DIR/mff.csv\" line 2 column \"mff\": missing value"},
    {"mff.csv", "fin_year,provider_code,mff\n2006/07,RA9,1.1\n\n2006/07,RA9,1.2\n",
     "file \"DIR/mff.csv\" line 4 column \"provider_code\": duplicate key \"2006/07, RA9\" "
     "(first defined on line 2)"},
    {"local_prices.csv", "fin_year,provider_code,pod,code,price\n"
                         "2006/07,*,REG,AA01A,1\n2006/07,*,REG,AA01A,2\n",
     "file \"DIR/local_prices.csv\" line 3 column \"code\": duplicate key \"2006/07, *, REG, AA01A\" "
     "(first defined on line 2)"},
    {"local_prices.csv", "fin_year,provider_code,pod,code,price\n2006/07,*,REG,AA01A,1.001\n",
     "file \"DIR/local_prices.csv\" line 2 column \"price\": invalid price \"1.001\""},
    {"tariff_params.csv", "fin_year,sse_max_los,sse_min_age,sse_percent\n"
                          "2006/07,1,19,50\n2006/07,1,19,50\n",
     "file \"DIR/tariff_params.csv\" line 3 column \"fin_year\": duplicate key \"2006/07\" "
     "(first defined on line 2)"},
    {"tariff_params.csv", "fin_year,sse_max_los,sse_min_age,sse_percent\n2006/07,1,19,150\n",
     "file \"DIR/tariff_params.csv\" line 2 column \"sse_percent\": invalid percentage \"150\""},
    {"tariff_op.csv", "fin_year,treatment_function_code,first_tariff,follow_up_tariff\n"
                      "2006/07,100,150,\n2006/07,100,,75\n",
     "file \"DIR/tariff_op.csv\" line 3 column \"treatment_function_code\": duplicate key "
     "\"2006/07, 100\" (first defined on line 2)"},
    {"tariff_op_procedure.csv", "fin_year,hrg,tariff\n2006/07,WH01Z,1\n2006/07,WH01Z,1\n",
     "file \"DIR/tariff_op_procedure.csv\" line 3 column \"hrg\": duplicate key \"2006/07, WH01Z\" "
     "(first defined on line 2)"},
    {"tariff_ae.csv", "fin_year,hrg,tariff\n,VB01Z,1\n",
     "file \"DIR/tariff_ae.csv\" line 2 column \"fin_year\": missing value"},
    {"tariff_params.csv", "fin_year,sse_max_los,sse_min_age,sse_percent\n2006/07,1,x,50\n",
     "file \"DIR/tariff_params.csv\" line 2 column \"sse_min_age\": invalid number \"x\""},
    {"local_prices.csv", "fin_year,provider_code,pod,code,price\n2006/07,*,,AA01A,1\n",
     "file \"DIR/local_prices.csv\" line 2 column \"pod\": missing value"},
    {"exclusions.csv", "fin_year,pod,code,scope\n2006/07,EL,,PCT_HELD\n",
     "file \"DIR/exclusions.csv\" line 2 column \"code\": missing value"},
    /* broken quoting */
    {"tariff_ae.csv", "fin_year,hrg,tariff\n2006/07,\"VB\"01Z,1\n",
     "file \"DIR/tariff_ae.csv\" line 2: broken quoting"},
    /* a missing required column */
    {"tariff_apc.csv", "fin_year,hrg,elective_tariff,day_case_tariff,non_elective_tariff\n",
     "file \"DIR/tariff_apc.csv\": missing required column \"elective_trim_days\""},
    {"exclusions.csv", "fin_year,pod,code\n",
     "file \"DIR/exclusions.csv\": missing required column \"scope\""},
    /* a short row */
    {"tariff_ae.csv", "fin_year,hrg,tariff\n2006/07,VB01Z\n",
     "file \"DIR/tariff_ae.csv\" line 2: 2 fields where the header has 3"},
    /* an exclusion of another scope still needs a valid year */
    {"exclusions.csv", "fin_year,pod,code,scope\n06/07,EL,X,OTHER\n",
     "file \"DIR/exclusions.csv\" line 2 column \"fin_year\": invalid financial year \"06/07\""},
};

ParameterizedTestParameters(tariff, bad_reference_data)
{
    return cr_make_param_array(BadCase, bad_cases, G_N_ELEMENTS(bad_cases));
}

ParameterizedTest(BadCase *c, tariff, bad_reference_data)
{
    write_valid_ref();
    write_file(c->file, c->content);
    g_autoptr(GError) e = NULL;
    Tariffs *t = tariffs_load(dir, &e);
    cr_assert_null(t);
    cr_assert_not_null(e);
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_REFDATA), "code %d: %s", e->code, e->message);
    g_autofree char *want = NULL;
    {
        g_auto(GStrv) parts = g_strsplit(c->message, "DIR", -1);
        want = g_strjoinv(dir, parts);
    }
    cr_assert_str_eq(e->message, want);
    cr_assert_eq(pbc_exit_code_for(e), PBC_EXIT_INPUT);
}

/* Every file but tariff_op_procedure.csv is required. */
Test(tariff, missing_required_file)
{
    write_valid_ref();
    remove_file("exclusions.csv");
    g_autoptr(GError) e = NULL;
    cr_assert_null(tariffs_load(dir, &e));
    g_autofree char *want =
        g_strdup_printf("missing reference file \"%s/exclusions.csv\" (or \"exclusions.csv.gz\")", dir);
    cr_assert_str_eq(e->message, want);
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_REFDATA));
}

Test(tariff, missing_directory)
{
    g_autofree char *p = g_build_filename(dir, "nope", NULL);
    g_autoptr(GError) e = NULL;
    cr_assert_null(tariffs_load(p, &e));
    g_autofree char *want =
        g_strdup_printf("could not open reference directory \"%s\": not a directory", p);
    cr_assert_str_eq(e->message, want);
}

/* A corrupt gzip file is a read error, not silently empty. */
Test(tariff, corrupt_gzip)
{
    write_valid_ref();
    remove_file("tariff_ae.csv");
    write_gz("tariff_ae.csv.gz", "fin_year,hrg,tariff\n2006/07,VB01Z,99.99\n");
    g_autofree char *p = g_build_filename(dir, "tariff_ae.csv.gz", NULL);
    g_autofree char *buf = NULL;
    gsize len;
    cr_assert(g_file_get_contents(p, &buf, &len, NULL));
    cr_assert(g_file_set_contents(p, buf, (gssize)len - 6, NULL));  /* truncated */
    g_autoptr(GError) e = NULL;
    cr_assert_null(tariffs_load(dir, &e));
    cr_assert_not_null(e);
    cr_assert(strstr(e->message, "tariff_ae.csv.gz") != NULL, "%s", e->message);
}

/* Exclusions repeated say the same thing twice: accepted. */
Test(tariff, repeated_exclusion_ok)
{
    write_valid_ref();
    write_file("exclusions.csv", "fin_year,pod,code,scope\n2006/07,*,X1,PCT_HELD\n"
                                 "2006/07,*,X1,PCT_HELD\n");
    g_autoptr(Tariffs) t = load_ok();
    cr_assert(tariff_pct_held(t, 2006, "AE", "X1"));
}

/* A missing tariff year is warned about once per table and year. */
Test(tariff, warn_missing_year_once)
{
    write_valid_ref();
    g_autoptr(Tariffs) t = load_ok();
    cr_redirect_stderr();
    tariff_warn_missing_year(t, TARIFF_TABLE_AE, 2009);
    tariff_warn_missing_year(t, TARIFF_TABLE_AE, 2009);
    fflush(stderr);
    cr_assert_stderr_eq_str("test_tariff: warning: no rows in tariff_ae.csv for financial year "
                            "2009/10: its activity is priced locally or left unpriced\n");
}

/* A POD no unit can have: loaded, warned about, never matched. */
Test(tariff, unknown_pod_warned)
{
    write_valid_ref();
    write_file("local_prices.csv", "fin_year,provider_code,pod,code,price\n2006/07,*,OP,100,12\n");
    write_file("exclusions.csv", "fin_year,pod,code,scope\n2006/07,XX,100,PCT_HELD\n");
    cr_redirect_stderr();
    g_autoptr(Tariffs) t = load_ok();
    fflush(stderr);
    g_autofree char *want = g_strdup_printf(
        "test_tariff: warning: file \"%s/local_prices.csv\" line 2: unknown pod \"OP\": the row "
        "can never apply\n"
        "test_tariff: warning: file \"%s/exclusions.csv\" line 2: unknown pod \"XX\": the row can "
        "never apply\n", dir, dir);
    cr_assert_stderr_eq_str(want);
}

/* Codes longer than the composite-key buffer still work. */
Test(tariff, long_codes)
{
    write_valid_ref();
    char code[300];
    memset(code, 'X', sizeof code - 1);
    code[sizeof code - 1] = '\0';
    g_autofree char *lp = g_strdup_printf("fin_year,provider_code,pod,code,price\n"
                                          "2006/07,*,EL,%s,12\n", code);
    write_file("local_prices.csv", lp);
    g_autofree char *ex = g_strdup_printf("fin_year,pod,code,scope\n2006/07,EL,%s,PCT_HELD\n", code);
    write_file("exclusions.csv", ex);
    g_autoptr(Tariffs) t = load_ok();
    cr_assert_eq(tariff_local_price(t, 2006, "RA9", "EL", code), 1200);
    cr_assert(tariff_pct_held(t, 2006, "EL", code));
}
