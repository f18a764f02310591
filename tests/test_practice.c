/*
 * test_practice.c: the practice table (practice.c): loading REF/practices.csv,
 * its fatal errors, open/closed days and the R-A5 successor resolver.
 */
#include "log.h"
#include "practice.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib/gstdio.h>

static char *tmpdir;

static void
setup(void)
{
    tmpdir = g_dir_make_tmp("test_practice-XXXXXX", NULL);
    cr_assert_not_null(tmpdir);
}

static void
teardown(void)
{
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(tmpdir, name, NULL);
        g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(tmpdir);
    g_free(tmpdir);
}

TestSuite(practice, .init = setup, .fini = teardown);

/* Writes text to tmpdir/practices.csv and returns the path (owned by caller). */
static char *
write_practices(const char *text)
{
    char *path = g_build_filename(tmpdir, "practices.csv", NULL);
    cr_assert(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static PracticeTable *
load_ok(const char *text)
{
    g_autofree char *path = write_practices(text);
    GError *error = NULL;
    PracticeTable *t = practice_table_load(path, &error);
    cr_assert_not_null(t, "load failed: %s", error ? error->message : "?");
    return t;
}

/* Loads text expecting failure; returns the message with tmpdir replaced by "DIR". */
static char *
load_fail(const char *text, int *code)
{
    g_autofree char *path = write_practices(text);
    GError *error = NULL;
    PracticeTable *t = practice_table_load(path, &error);
    cr_assert_null(t);
    cr_assert_not_null(error);
    *code = error->code;
    g_auto(GStrv) parts = g_strsplit(error->message, tmpdir, -1);
    char *msg = g_strjoinv("DIR", parts);
    g_error_free(error);
    return msg;
}

#define HEADER "practice_code,practice_name,consortium_code,pct_code,open_date,close_date,successor_code\n"

static PbcDate
d(int y, int m, int dd)
{
    return date_from_ymd(y, m, dd);
}

Test(practice, loads_fields_in_any_date_format)
{
    /* Dates in the three accepted formats; blank = none. */
    g_autoptr(PracticeTable) t = load_ok(HEADER
                                         "B82001,Moor Lane,C2,5QB,2001-04-01,,\n"
                                         "A81001,\"High St, Surgery\",C1,5QA,01/04/1999,20070101,A81002\n"
                                         "A81002,,,5QA,,,\n");
    cr_assert_eq(practice_count(t), 3);
    const Practice *p = practice_lookup(t, "A81001");
    cr_assert_not_null(p);
    cr_assert_str_eq(practice_code(p), "A81001");
    cr_assert_str_eq(practice_name(p), "High St, Surgery");
    cr_assert_str_eq(practice_consortium(p), "C1");
    cr_assert_str_eq(practice_pct(p), "5QA");
    cr_assert_eq(practice_open_date(p), d(1999, 4, 1));
    cr_assert_eq(practice_close_date(p), d(2007, 1, 1));
    cr_assert_str_eq(practice_successor(p), "A81002");
    p = practice_lookup(t, "A81002");
    cr_assert_str_eq(practice_name(p), "");
    cr_assert_eq(practice_open_date(p), PBC_NO_DATE);
    cr_assert_eq(practice_close_date(p), PBC_NO_DATE);
    cr_assert_str_eq(practice_successor(p), "");
    cr_assert_null(practice_lookup(t, "Z99999"));
    cr_assert_null(practice_lookup(t, ""));
    cr_assert_null(practice_lookup(t, NULL));
}

Test(practice, list_is_in_byte_order_of_code)
{
    g_autoptr(PracticeTable) t = load_ok(HEADER "B82001,,,5QB,,,\n"
                                                "A81002,,,5QA,,,\n"
                                                "A81001,,,5QA,,,\n"
                                                "Y00001,,,5QA,,,\n");
    const GPtrArray *l = practice_list(t);
    cr_assert_eq(l->len, 4);
    const char *want[] = {"A81001", "A81002", "B82001", "Y00001"};
    for (guint i = 0; i < l->len; i++)
        cr_assert_str_eq(practice_code(g_ptr_array_index(l, i)), want[i]);
}

Test(practice, columns_by_name_in_any_order_and_optional_ones_absent)
{
    /* SPEC §3: header names case-insensitive, any order; optional columns may be missing. */
    g_autoptr(PracticeTable) t = load_ok("PCT_CODE , Practice_Code\n5QA,A81001\n");
    const Practice *p = practice_lookup(t, "A81001");
    cr_assert_not_null(p);
    cr_assert_str_eq(practice_pct(p), "5QA");
    cr_assert_str_eq(practice_consortium(p), "");
    cr_assert_eq(practice_close_date(p), PBC_NO_DATE);
}

Test(practice, pseudo_codes_are_never_listed)
{
    /* R-A6: V819xx is never a listed practice, even when the file lists it. */
    g_autoptr(PracticeTable) t = load_ok(HEADER "V81999,Not known,,5QA,,,\n"
                                                "V81997,No GP,,5QA,,,\n"
                                                "A81001,,,5QA,,,\n");
    cr_assert_null(practice_lookup(t, "V81999"));
    cr_assert_null(practice_lookup(t, "V81997"));
    cr_assert_eq(practice_count(t), 1);
}

/* Parameters cross into Criterion's worker process by value: strings are arrays. */
typedef struct {
    char code[16];
    gboolean pseudo;
} PseudoCase;

ParameterizedTestParameters(practice, pseudo_code)
{
    static PseudoCase cases[] = {
        {"V81997", TRUE},  /* no registered GP */
        {"V81998", TRUE},  /* not applicable */
        {"V81999", TRUE},  /* not known */
        {"V81900", TRUE},  /* any V819xx */
        {"V82999", FALSE}, /* not V819 */
        {"V8199", FALSE},  /* too short */
        {"V819999", FALSE}, /* too long */
        {"V819AB", FALSE}, /* xx are digits */
        {"A81001", FALSE},
        {"", FALSE},
    };
    return cr_make_param_array(PseudoCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(PseudoCase *c, practice, pseudo_code)
{
    cr_assert_eq(practice_code_is_pseudo(c->code), c->pseudo, "code %s", c->code);
}

Test(practice, is_open_boundaries)
{
    /* open_date is the first day open; close_date the first day closed (R-G3, R-A5). */
    g_autoptr(PracticeTable) t = load_ok(HEADER "A81001,,,5QA,2006-04-01,2006-07-01,\n"
                                                "A81002,,,5QA,,,\n");
    const Practice *p = practice_lookup(t, "A81001");
    cr_assert_not(practice_is_open(p, d(2006, 3, 31)));
    cr_assert(practice_is_open(p, d(2006, 4, 1)));
    cr_assert(practice_is_open(p, d(2006, 6, 30)));
    cr_assert_not(practice_is_open(p, d(2006, 7, 1)));
    cr_assert(practice_is_open(practice_lookup(t, "A81002"), d(1900, 1, 1)));
}

typedef struct {
    char body[128];
    int code;
    char message[160];
} FailCase;

ParameterizedTestParameters(practice, fatal_rows)
{
    static FailCase cases[] = {
        /* duplicate code: line 3 is the second row */
        {"A81001,,,5QA,,,\nA81001,,,5QB,,,\n", PBC_ERROR_REFDATA,
         "file \"DIR/practices.csv\" line 3 column \"practice_code\": duplicate practice code "
         "\"A81001\""},
        /* blank code */
        {"A81001,,,5QA,,,\n,Nameless,,5QA,,,\n", PBC_ERROR_REFDATA,
         "file \"DIR/practices.csv\" line 3 column \"practice_code\": blank practice code"},
        /* impossible date */
        {"A81001,,,5QA,2006-02-30,,\n", PBC_ERROR_REFDATA,
         "file \"DIR/practices.csv\" line 2 column \"open_date\": invalid date \"2006-02-30\""},
        /* unparsable close date */
        {"A81001,,,5QA,,31-12-2006,\n", PBC_ERROR_REFDATA,
         "file \"DIR/practices.csv\" line 2 column \"close_date\": invalid date \"31-12-2006\""},
        /* R-A5 could never end: A -> B -> A, both closed */
        {"A81001,,,5QA,,2006-01-01,A81002\nA81002,,,5QA,,2006-03-01,A81001\n", PBC_ERROR_REFDATA,
         "file \"DIR/practices.csv\": successor cycle among closed practices: A81001 -> A81002 "
         "-> A81001"},
        /* a closed practice succeeding itself */
        {"A81001,,,5QA,,2006-01-01,A81001\n", PBC_ERROR_REFDATA,
         "file \"DIR/practices.csv\": successor cycle among closed practices: A81001 -> A81001"},
    };
    return cr_make_param_array(FailCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(FailCase *c, practice, fatal_rows)
{
    g_autofree char *text = g_strconcat(HEADER, c->body, NULL);
    int code;
    g_autofree char *msg = load_fail(text, &code);
    cr_assert_eq(code, c->code);
    cr_assert_str_eq(msg, c->message);
}

Test(practice, cycle_through_an_open_practice_is_fine)
{
    /* B is not closed, so every chain stops there: no cycle (R-A5). */
    g_autoptr(PracticeTable) t = load_ok(HEADER "A81001,,,5QA,,2006-01-01,A81002\n"
                                                "A81002,,,5QA,,,A81001\n");
    const char *out;
    cr_assert(practice_resolve(t, "A81001", d(2007, 1, 1), &out));
    cr_assert_str_eq(out, "A81002");
}

Test(practice, missing_column_and_missing_file)
{
    int code;
    g_autofree char *msg = load_fail("practice_code,practice_name\nA81001,x\n", &code);
    cr_assert_eq(code, PBC_ERROR_FORMAT);
    cr_assert_str_eq(msg, "file \"DIR/practices.csv\": missing required column \"pct_code\"");

    GError *error = NULL;
    g_autofree char *path = g_build_filename(tmpdir, "nope.csv", NULL);
    cr_assert_null(practice_table_load(path, &error));
    cr_assert_eq(error->code, PBC_ERROR_IO);
    g_autofree char *want = g_strdup_printf("could not open file \"%s\": No such file or directory", path);
    cr_assert_str_eq(error->message, want);
    g_error_free(error);
}

/* The successor fixture used by the resolver cases. */
#define CHAIN                                                                   \
    HEADER "A81001,,,5QA,,,\n"                  /* open */                      \
           "A81002,,,5QA,,2006-06-01,A81003\n"  /* closed, successor */         \
           "A81003,,,5QA,,,\n"                                                  \
           "A81004,,,5QA,,2006-06-01,\n"        /* closed, no successor */      \
           "A81005,,,5QA,,2006-05-01,A81002\n"  /* chain of two */              \
           "A81006,,,5QA,,2006-06-01,Z99999\n"  /* successor not listed */      \
           "A81007,,,5QA,2007-01-01,,\n"        /* opens later */               \
           "A81008,,,5QA,,2006-06-01,A81007\n"  /* successor not yet open */    \
           "A81009,,,5QA,,2006-06-01,A81004\n"  /* chain ends closed */

typedef struct {
    char code[8];
    int y, m, dd;
    gboolean ok;
    char out[8];
} ResolveCase;

ParameterizedTestParameters(practice, resolve)
{
    static ResolveCase cases[] = {
        {"A81001", 2007, 1, 1, TRUE, "A81001"},  /* never closed */
        {"A81002", 2006, 5, 31, TRUE, "A81002"}, /* day before close: still open */
        {"A81002", 2006, 6, 1, TRUE, "A81003"},  /* close day: successor */
        {"A81004", 2006, 6, 1, FALSE, "A81004"}, /* closed, no successor */
        {"A81004", 2006, 5, 1, TRUE, "A81004"},  /* before it closed */
        {"A81005", 2006, 5, 15, TRUE, "A81002"}, /* A81002 not yet closed */
        {"A81005", 2006, 6, 15, TRUE, "A81003"}, /* chain of two */
        {"A81006", 2006, 6, 1, TRUE, "Z99999"},  /* unlisted successor ends the chain */
        {"A81008", 2006, 6, 1, TRUE, "A81007"},  /* successor's open date not checked */
        {"A81009", 2006, 7, 1, FALSE, "A81004"}, /* chain ends in a closed practice */
        {"Z11111", 2006, 7, 1, TRUE, "Z11111"},  /* unlisted: nothing to close */
        {"V81999", 2006, 7, 1, TRUE, "V81999"},  /* pseudo: unlisted */
    };
    return cr_make_param_array(ResolveCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(ResolveCase *c, practice, resolve)
{
    g_autoptr(PracticeTable) t = load_ok(CHAIN);
    const char *out = NULL;
    cr_assert_eq(practice_resolve(t, c->code, d(c->y, c->m, c->dd), &out), c->ok, "%s", c->code);
    cr_assert_str_eq(out, c->out);
}

Test(practice, resolve_without_a_day_hands_nothing_over)
{
    g_autoptr(PracticeTable) t = load_ok(CHAIN);
    const char *out;
    cr_assert(practice_resolve(t, "A81004", PBC_NO_DATE, &out));
    cr_assert_str_eq(out, "A81004");
    cr_assert(practice_resolve(t, "", d(2007, 1, 1), &out));
    cr_assert_str_eq(out, "");
}
