/*
 * test_statements.c: pbc-statements end to end (SPEC §7.2, docs/statements.md)
 * against a real PostgreSQL server.
 *
 * Before the tests (ReportHook PRE_ALL, in the runner process) the suite
 * starts its own server (pg_helpers.h), runs the pipeline on the bundled
 * sample (make -f pipeline.mk ... PERIOD=2006-09 aggregate), publishes it
 * with pbc-publish and renders it with pbc-statements, once; the tests then
 * read the pages and compare them with the database: every headline figure
 * against pbc.v_statement (R-G3), the totals against the consortium and PCT
 * views, the charges files against spend_ytd penny for penny, the top ten
 * patients against a count made here from the charges (R-G2), the budget
 * note against pbc.budgets (R-B5).  Other tests render again into their own
 * directories: as a practice's role (row-level security), a re-render that
 * replaces the set, a month with nothing published, hostile names, a month
 * closed and re-opened, the command line, and headless Chromium.  The
 * month-end section (issue 10, docs/month_end.md) has runs of its own, made
 * in the same hook: a changed run over the sample and a closed month,
 * checked against the month-end views penny for penny.
 *
 * Money strings expected on pages are formatted here by t_money(), written
 * independently of lib/render_number.c.
 */
#include "nhs.h"
#include "pg_helpers.h"
#include "publish_fixture.h"
#include "render_check.h"

#include <criterion/hooks.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the suite's run ------------------------------------------------------- */

/* The sample run: env STMT_ROOT (temporary), its out/, and how the set-up went. */
static const char *
root_dir(void)
{
    return g_getenv("STMT_ROOT");
}

static char *
out_dir(void)
{
    return g_build_filename(root_dir(), "out", NULL);
}

static char *
page_path(const char *name)
{
    return g_build_filename(root_dir(), "out", "statements", name, NULL);
}

/* PCT of the month-end runs: the sample's reference data with 5QA renamed. */
#define ME_PCT "5QM"

/* Runs a set-up command (hooks run outside tests: no asserts); its exit code in env rc_var. */
static void
run_setup(const char *cmd, const char *rc_var, const char *log_name)
{
    g_autofree char *log = NULL;
    int rc = pgh_system(&log, cmd);
    g_autofree char *rc_text = g_strdup_printf("%d", rc);
    g_setenv(rc_var, rc_text, TRUE);
    g_autofree char *log_path = g_build_filename(root_dir(), log_name, NULL);
    g_file_set_contents(log_path, log ? log : "", -1, NULL);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    pgh_server_start();
    char *root = g_dir_make_tmp("pbc-test-stmt-XXXXXX", NULL);
    if (root == NULL) {
        fprintf(stderr, "test_statements: could not make a temporary directory\n");
        exit(3);
    }
    g_setenv("STMT_ROOT", root, TRUE);
    g_autofree char *bin = t_bin();
    /* The month-end runs (their section below), as PCT 5QM in root/me: the sample's
     * practices (codes are national: the dimension is shared) under another PCT code. */
    g_autofree char *me = g_build_filename(root, "me", NULL);
    g_autofree char *make = g_strdup_printf(
        "make --no-print-directory -s -f pipeline.mk BIN='%s' REF='%s/ref'", bin, me);
    g_autofree char *me_cmd = g_strdup_printf(
        "set -e; mkdir -m 700 '%s'; cd '%s'; cp -r sample/ref '%s/ref'; "
        "sed -i 's/,5QA,/," ME_PCT ",/' '%s'/ref/practices.csv; "
        "sed -i 's/^pct=5QA$/pct=" ME_PCT "/' '%s'/ref/pbc.conf; "
        "cp -r sample/in '%s/in_flex'; cp -r sample/in '%s/in_freeze'; "
        "rm '%s'/in_freeze/apc_RA9_2006-09_v2.csv.gz '%s'/in_freeze/op_RA9_2006-08.csv.gz; "
        "%s IN='%s/in_flex' OUT='%s/out_aug' PERIOD=2006-08 publish; "
        "'%s/pbc-publish' -q --close " ME_PCT " 2006-08; "
        "%s IN='%s/in_flex' OUT='%s/out_flex' PERIOD=2006-09 publish; "
        "%s IN='%s/in_freeze' OUT='%s/out_freeze' PERIOD=2006-09 publish",
        me, t_root(), me, me, me, me, me, me, me, make, me, me, bin, make, me, me, make, me, me);
    run_setup(me_cmd, "STME_SETUP_RC", "month_end.log");
    /* The sample's run last: the practices dimension ends as the sample has it. */
    g_autofree char *cmd = g_strdup_printf(
        "cd '%s' && make --no-print-directory -f pipeline.mk IN=sample/in REF=sample/ref "
        "OUT='%s/out' PERIOD=2006-09 BIN='%s' aggregate && '%s/pbc-publish' -q --out '%s/out' && "
        "'%s/pbc-statements' -q --out '%s/out'",
        t_root(), root, bin, bin, root, bin, root);
    run_setup(cmd, "STMT_SETUP_RC", "setup.log");
    g_free(root);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    pgh_server_stop();
    const char *root = root_dir();
    if (root && g_str_has_prefix(root, g_get_tmp_dir())) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", root);
        pgh_system(NULL, cmd);
    }
}

/* Every test starts by checking that its shared runs were made. */
static void
check_setup(const char *rc_var, const char *log_name)
{
    const char *rc = g_getenv(rc_var);
    g_autofree char *log_path = g_build_filename(root_dir(), log_name, NULL);
    g_autofree char *log = NULL;
    g_file_get_contents(log_path, &log, NULL, NULL);
    cr_assert(rc != NULL && strcmp(rc, "0") == 0, "the sample runs failed (%s):\n%s", rc,
              log ? log : "");
}

static void
setup(void)
{
    check_setup("STMT_SETUP_RC", "setup.log");
}

static void
setup_month_end(void)
{
    check_setup("STME_SETUP_RC", "month_end.log");
}

TestSuite(statements, .init = setup, .timeout = 240);
TestSuite(month_end, .init = setup_month_end, .timeout = 240);

/* ---- helpers ----------------------------------------------------------------- */

/* Pence as the pages print them, written independently of render_number.c. */
static char *
t_money(int64_t pence)
{
    uint64_t a = pence < 0 ? (uint64_t)0 - (uint64_t)pence : (uint64_t)pence;
    char digits[32];
    g_snprintf(digits, sizeof digits, "%" G_GUINT64_FORMAT, a / 100);
    GString *s = g_string_new(pence < 0 ? "\xe2\x88\x92\xc2\xa3" : "\xc2\xa3");
    size_t n = strlen(digits);
    for (size_t i = 0; i < n; i++) {
        g_string_append_c(s, digits[i]);
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            g_string_append_c(s, ',');
    }
    g_string_append_printf(s, ".%02u", (unsigned)(a % 100));
    return g_string_free(s, FALSE);
}

static char *
read_page(const char *name)
{
    g_autofree char *p = page_path(name);
    return t_read_text(p);
}

/*
 * The part of a page from the element carrying `marker` (e.g. id="f-spend_ytd")
 * to `until` (exclusive), as a new string; asserts the marker is there.
 */
static char *
slice(const char *page, const char *marker, const char *until)
{
    const char *at = strstr(page, marker);
    cr_assert(at != NULL, "\"%s\" not on the page", marker);
    const char *end = strstr(at + strlen(marker), until);
    return end ? g_strndup(at, end - at) : g_strdup(at);
}

/* The file's permission bits. */
static unsigned
mode_of(const char *path)
{
    struct stat st;
    cr_assert(stat(path, &st) == 0, "cannot stat %s", path);
    return st.st_mode & 07777;
}

/* Runs pbc-statements with a shell fragment of arguments; output in *log. */
static int run_statements(char **log, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int
run_statements(char **log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *bin = t_bin();
    /* Its progress lines are part of what is tested: PBC_QUIET off. */
    return t_sh(log, "env -u PBC_QUIET '%s/pbc-statements' %s 2>&1", bin, args);
}

/* A new output directory (0700) holding a copy of the sample run's run.ini. */
static char *
copy_run(void)
{
    char *root = t_tmpdir();
    g_autofree char *src = out_dir();
    cr_assert_eq(t_sh(NULL, "mkdir -m 700 '%s/out' && cp '%s/run.ini' '%s/out/'", root, src, root),
                 0);
    return root;
}

static const char *const money_fields[] = {
    "annual_budget",    "budget_ytd",        "spend_ytd",    "variance_ytd",
    "forecast_outturn", "forecast_variance", "freed_up_practice", "freed_up_pct",
    "risk_pool_ytd",
};

#define V_STATEMENT_COLUMNS                                                                     \
    "practice_code, annual_budget, budget_ytd, spend_ytd, variance_ytd, forecast_outturn, "      \
    "forecast_variance, freed_up_practice, freed_up_pct, risk_pool_ytd"

/* Checks a page's headline boxes against row `i` of a result of V_STATEMENT_COLUMNS
 * (column 0 is the code, 1.. the money fields). */
static void
expect_headline(const char *page, const char *what, PGresult *r, int i)
{
    for (guint f = 0; f < G_N_ELEMENTS(money_fields); f++) {
        int64_t v = g_ascii_strtoll(PQgetvalue(r, i, (int)f + 1), NULL, 10);
        g_autofree char *marker = g_strdup_printf("id=\"f-%s\"", money_fields[f]);
        g_autofree char *box = slice(page, marker, "class=\"figure");
        g_autofree char *pence = g_strdup_printf("data-pence=\"%" G_GINT64_FORMAT "\"", v);
        g_autofree char *money = t_money(v);
        cr_expect(strstr(box, pence) != NULL, "%s %s: %s not in %s", what, money_fields[f], pence,
                  box);
        cr_expect(strstr(box, money) != NULL, "%s %s: %s not in %s", what, money_fields[f], money,
                  box);
    }
}

/* ---- the pages against the views ---------------------------------------------- */

/* R-G3: each practice's page shows exactly v_statement's figures, formatted to the penny. */
Test(statements, headline_figures_on_each_page_match_v_statement)
{
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(c,
                            "SELECT " V_STATEMENT_COLUMNS ", practice_name FROM pbc.v_statement"
                            " WHERE pct_code = '5QA' AND period = '2006-09' ORDER BY 1",
                            0, NULL);
    cr_assert_eq(PQntuples(r), 10, "the sample has 10 statements");
    for (int i = 0; i < PQntuples(r); i++) {
        const char *code = PQgetvalue(r, i, 0);
        g_autofree char *name = g_strdup_printf("%s.html", code);
        g_autofree char *page = read_page(name);
        expect_headline(page, code, r, i);
        /* The heading names the practice and the month. */
        g_autofree char *h1 = slice(page, "<h1>", "</h1>");
        cr_expect(strstr(h1, code) != NULL, "%s", h1);
        cr_expect(strstr(page, "reporting month <strong>September 2006</strong> (month 6 of "
                               "2006/07)") != NULL);
        /* The sentence at the top agrees with the boxes. */
        g_autofree char *spend = t_money(g_ascii_strtoll(PQgetvalue(r, i, 3), NULL, 10));
        g_autofree char *lead = slice(page, "<p class=\"lead\">", "</p>");
        cr_expect(strstr(lead, spend) != NULL, "%s: %s not in %s", code, spend, lead);
    }
    PQclear(r);
    PQfinish(c);
}

/* The index lists every statement with budget, spend, variance and forecast, and links it. */
Test(statements, index_lists_every_statement_with_its_headline_figures)
{
    g_autofree char *index = read_page("index.html");
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(c,
                            "SELECT practice_code, budget_ytd, spend_ytd, variance_ytd,"
                            " forecast_outturn FROM pbc.v_statement"
                            " WHERE pct_code = '5QA' AND period = '2006-09'",
                            0, NULL);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *code = PQgetvalue(r, i, 0);
        g_autofree char *marker = g_strdup_printf("id=\"row-%s\"", code);
        g_autofree char *row = slice(index, marker, "</tr>");
        g_autofree char *href = g_strdup_printf("href=\"%s.html\"", code);
        cr_expect(strstr(row, href) != NULL, "%s", row);
        for (int f = 1; f <= 4; f++) {
            g_autofree char *m = t_money(g_ascii_strtoll(PQgetvalue(r, i, f), NULL, 10));
            cr_expect(strstr(row, m) != NULL, "%s: %s not in %s", code, m, row);
        }
        g_autofree char *file = g_strdup_printf("%s.html", code);
        g_autofree char *path = page_path(file);
        cr_expect(g_file_test(path, G_FILE_TEST_EXISTS), "%s linked but not written", file);
    }
    PQclear(r);
    /* The consortia and the PCT are linked too. */
    for (const char *const *f = (const char *const[]){"consortium_5QAC01.html",
                                                      "consortium_5QAC02.html",
                                                      "consortium_5QAC03.html", "pct.html", NULL};
         *f; f++) {
        g_autofree char *href = g_strdup_printf("href=\"%s\"", *f);
        cr_expect(strstr(index, href) != NULL, "index does not link %s", *f);
        g_autofree char *path = page_path(*f);
        cr_expect(g_file_test(path, G_FILE_TEST_EXISTS), "%s not written", *f);
    }
    PQfinish(c);
}

/* R-G3: the consortium and PCT pages show their views' totals, which are the practices' sums. */
Test(statements, consortium_and_pct_pages_total_their_practices)
{
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(
        c,
        "SELECT consortium_code, annual_budget, budget_ytd, spend_ytd, variance_ytd,"
        " forecast_outturn, forecast_variance, freed_up_practice, freed_up_pct, risk_pool_ytd"
        " FROM pbc.v_statement_consortium WHERE pct_code = '5QA' AND period = '2006-09'",
        0, NULL);
    cr_assert_eq(PQntuples(r), 3);
    for (int i = 0; i < PQntuples(r); i++) {
        g_autofree char *name = g_strdup_printf("consortium_%s.html", PQgetvalue(r, i, 0));
        g_autofree char *page = read_page(name);
        expect_headline(page, name, r, i);
    }
    PQclear(r);
    r = pgh_query(c,
                  "SELECT 'PCT', annual_budget, budget_ytd, spend_ytd, variance_ytd,"
                  " forecast_outturn, forecast_variance, freed_up_practice, freed_up_pct,"
                  " risk_pool_ytd FROM pbc.v_statement_pct"
                  " WHERE pct_code = '5QA' AND period = '2006-09'",
                  0, NULL);
    cr_assert_eq(PQntuples(r), 1);
    g_autofree char *pct = read_page("pct.html");
    expect_headline(pct, "pct.html", r, 0);
    /* The PCT's spend is every PRACTICE unit's practice part, from the fact table itself. */
    g_autofree char *units = pgh_value(c,
                                       "SELECT sum(practice_pence) FROM pbc.priced_activity"
                                       " WHERE pct_code = $1 AND period = '2006-09'"
                                       " AND budget_scope = 'PRACTICE'",
                                       "5QA");
    cr_expect_str_eq(units, PQgetvalue(r, 0, 3));
    PQclear(r);
    PQfinish(c);
}

/* The chart and its table follow v_cumulative_spend month by month. */
Test(statements, chart_and_month_table_follow_v_cumulative_spend)
{
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(c,
                            "SELECT practice_code, activity_month, cumulative_spend_pence,"
                            " phased_budget_pence FROM pbc.v_cumulative_spend"
                            " WHERE pct_code = '5QA' AND period = '2006-09'"
                            " AND practice_code IN ('L81001', 'L81011') ORDER BY 1, 2",
                            0, NULL);
    cr_assert_eq(PQntuples(r), 12, "months 1 .. 6 of two practices");
    static const char *const names[] = {"April 2006", "May 2006",    "June 2006",
                                        "July 2006",  "August 2006", "September 2006"};
    for (int i = 0; i < PQntuples(r); i++) {
        g_autofree char *file = g_strdup_printf("%s.html", PQgetvalue(r, i, 0));
        g_autofree char *page = read_page(file);
        cr_expect(strstr(page, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart "
                               "line-chart\"") != NULL);
        g_autofree char *table = slice(page, "<table class=\"months\">", "</table>");
        g_autofree char *marker = g_strdup_printf("<td>%s</td>", names[i % 6]);
        g_autofree char *row = slice(table, marker, "</tr>");
        g_autofree char *cum = t_money(g_ascii_strtoll(PQgetvalue(r, i, 2), NULL, 10));
        g_autofree char *phased = t_money(g_ascii_strtoll(PQgetvalue(r, i, 3), NULL, 10));
        cr_expect(strstr(row, cum) != NULL && strstr(row, phased) != NULL, "%s %s: %s / %s in %s",
                  PQgetvalue(r, i, 0), names[i % 6], cum, phased, row);
        cr_expect(strstr(table, "October 2006") == NULL, "no month after the reporting month");
    }
    PQclear(r);
    PQfinish(c);
}

/* Every page is well-formed (strictly, and by xmllint when installed) and self-contained. */
Test(statements, pages_are_well_formed_and_self_contained)
{
    g_autofree char *dir = page_path("");
    GDir *d = g_dir_open(dir, 0, NULL);
    cr_assert(d != NULL);
    const char *name;
    int pages = 0;
    g_autofree char *xmllint_path = g_find_program_in_path("xmllint");
    gboolean xmllint = xmllint_path != NULL;
    while ((name = g_dir_read_name(d)) != NULL) {
        if (!g_str_has_suffix(name, ".html"))
            continue;
        pages++;
        g_autofree char *page = read_page(name);
        g_autoptr(GError) e = NULL;
        cr_expect(render_check_wellformed(page, "html", &e), "%s: %s", name, e ? e->message : "");
        cr_expect(g_str_has_prefix(page, "<!DOCTYPE html>"), "%s", name);
        cr_expect(strstr(page, "@page { size: A4") != NULL, "%s prints on A4", name);
        /* No JavaScript, no external fetches, no web fonts. */
        cr_expect(strstr(page, "<script") == NULL && strstr(page, "<link") == NULL &&
                  strstr(page, "@import") == NULL && strstr(page, "url(") == NULL &&
                  strstr(page, "src=") == NULL && strstr(page, "@font-face") == NULL,
                  "%s is not self-contained", name);
        g_autofree char *scheme = g_strdup(page);
        /* The only absolute URLs are the XML namespace names, which nothing fetches. */
        for (char *p = strstr(scheme, "http"); p; p = strstr(p + 1, "http"))
            cr_expect(g_str_has_prefix(p, "http://www.w3.org/"), "%s: %.40s", name, p);
        if (xmllint) {
            g_autofree char *log = NULL;
            g_autofree char *path = page_path(name);
            cr_expect_eq(t_sh(&log, "xmllint --noout '%s'", path), 0, "%s: %s", name, log);
        }
    }
    g_dir_close(d);
    cr_expect_eq(pages, 15, "10 practices, 3 consortia, the PCT and the index");
}

/* R-G3, SPEC §8: each charges file is the practice's PRACTICE units, adding up to its
 * spend_ytd, owner-only, in an owner-only directory. */
Test(statements, charges_add_up_to_spend_ytd_and_are_owner_only)
{
    g_autofree char *dir = page_path("");
    cr_expect_eq(mode_of(dir), 0700u, "the statements directory is 0700");
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(c,
                            "SELECT s.practice_code, s.spend_ytd, s.risk_pool_ytd,"
                            " (SELECT count(*) FROM pbc.priced_activity a WHERE a.pct_code ="
                            " s.pct_code AND a.period = s.period AND a.practice_code ="
                            " s.practice_code AND a.budget_scope = 'PRACTICE')"
                            " FROM pbc.v_statement s WHERE pct_code = '5QA' AND period = '2006-09'",
                            0, NULL);
    static const char *const header[] = {
        "practice_code", "unit_id", "dataset", "pod", "provider_code", "nhs_number",
        "date_of_birth", "attribution_method", "cds_practice_code", "original_practice_code",
        "admission_date", "discharge_date", "attribution_date", "charge_date", "activity_month",
        "fin_year", "hrg", "hrg_name", "treatment_function_code", "referral_source", "los",
        "excess_bed_days", "base_pence", "excess_pence", "sse_applied", "mff", "price_pence",
        "price_method", "practice_pence", "risk_pool_pence", NULL};
    for (int i = 0; i < PQntuples(r); i++) {
        const char *code = PQgetvalue(r, i, 0);
        g_autofree char *file = g_strdup_printf("%s_charges.csv", code);
        g_autofree char *path = page_path(file);
        cr_expect_eq(mode_of(path), 0600u, "%s is patient data: 0600", file);
        TCsv *t = t_csv_read(path);
        cr_expect(g_strv_equal((const char *const *)t->header, header), "%s header", file);
        int64_t practice = 0, risk = 0;
        for (guint j = 0; j < t->rows->len; j++) {
            GHashTable *row = g_ptr_array_index(t->rows, j);
            cr_expect_str_eq(t_get(row, "practice_code"), code);
            practice += t_int(row, "practice_pence");
            risk += t_int(row, "risk_pool_pence");
            /* R-G2: a PRACTICE unit's price is its practice part plus its risk-pool part. */
            cr_expect_eq(t_int(row, "practice_pence") + t_int(row, "risk_pool_pence"),
                         t_int(row, "price_pence"), "%s %s", file, t_get(row, "unit_id"));
            const char *sse = t_get(row, "sse_applied");
            cr_expect(strcmp(sse, "0") == 0 || strcmp(sse, "1") == 0, "sse_applied %s", sse);
        }
        cr_expect_eq(practice, g_ascii_strtoll(PQgetvalue(r, i, 1), NULL, 10),
                     "%s adds up to spend_ytd", file);
        cr_expect_eq(risk, g_ascii_strtoll(PQgetvalue(r, i, 2), NULL, 10),
                     "%s adds up to risk_pool_ytd", file);
        cr_expect_eq((int64_t)t->rows->len, g_ascii_strtoll(PQgetvalue(r, i, 3), NULL, 10),
                     "%s: one row per PRACTICE unit", file);
        /* The page links its file and says how many rows it holds. */
        g_autofree char *pname = g_strdup_printf("%s.html", code);
        g_autofree char *page = read_page(pname);
        g_autofree char *link = g_strdup_printf("href=\"%s\"", file);
        cr_expect(strstr(page, link) != NULL, "%s does not link %s", pname, file);
        t_csv_free(t);
    }
    PQclear(r);
    PQfinish(c);
}

typedef struct {
    char nhs[12];
    int64_t cost;
} Patient;

static gint
cmp_patient(gconstpointer a, gconstpointer b)
{
    const Patient *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return strcmp(x->nhs, y->nhs);
}

/* R-G2: the ten highest-cost patients, counted here from the charges file. */
Test(statements, top_patients_are_the_costliest_valid_nhs_numbers)
{
    static const char *const practices[] = {"L81001", "L81005", "L81009"};
    for (guint k = 0; k < G_N_ELEMENTS(practices); k++) {
        g_autofree char *file = g_strdup_printf("%s_charges.csv", practices[k]);
        g_autofree char *path = page_path(file);
        TCsv *t = t_csv_read(path);
        g_autoptr(GHashTable) cost = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        for (guint j = 0; j < t->rows->len; j++) {
            GHashTable *row = g_ptr_array_index(t->rows, j);
            const char *nhs = t_get(row, "nhs_number");
            if (!nhs_number_valid(nhs))
                continue;
            int64_t *v = g_hash_table_lookup(cost, nhs);
            if (v == NULL) {
                v = g_new0(int64_t, 1);
                g_hash_table_insert(cost, g_strdup(nhs), v);
            }
            *v += t_int(row, "price_pence");
        }
        t_csv_free(t);
        g_autoptr(GArray) all = g_array_new(FALSE, TRUE, sizeof(Patient));
        GHashTableIter it;
        gpointer key, value;
        g_hash_table_iter_init(&it, cost);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            Patient p = {.cost = *(int64_t *)value};
            g_strlcpy(p.nhs, key, sizeof p.nhs);
            g_array_append_val(all, p);
        }
        g_array_sort(all, cmp_patient);
        g_autofree char *pname = g_strdup_printf("%s.html", practices[k]);
        g_autofree char *page = read_page(pname);
        g_autofree char *table = slice(page, "<table class=\"patients\">", "</table>");
        const char *pos = table;
        guint n = MIN(all->len, 10);
        for (guint i = 0; i < n; i++) {
            const Patient *p = &g_array_index(all, Patient, i);
            /* Shown 3-3-4 as the NHS displays numbers, in rank order. */
            g_autofree char *shown = g_strdup_printf("%.3s %.3s %.4s", p->nhs, p->nhs + 3, p->nhs + 6);
            const char *at = strstr(pos, shown);
            cr_expect(at != NULL, "%s: patient %u %s not in order", pname, i + 1, shown);
            if (at)
                pos = at;
            g_autofree char *m = t_money(p->cost);
            cr_expect(strstr(table, m) != NULL, "%s: %s", pname, m);
        }
        if (all->len > 10) {
            const Patient *p = &g_array_index(all, Patient, 10);
            g_autofree char *shown = g_strdup_printf("%.3s %.3s %.4s", p->nhs, p->nhs + 3, p->nhs + 6);
            cr_expect(strstr(table, shown) == NULL || g_array_index(all, Patient, 9).cost == p->cost,
                      "%s: the 11th patient is listed", pname);
        }
    }
}

/* R-B5: the budget note shows the components from pbc.budgets, or says there is none. */
Test(statements, budget_note_shows_the_r_b5_components)
{
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(c,
                            "SELECT practice_code, historic, uplifted_historic, fair_share, budget,"
                            " contingency, annual_budget, distance_from_target FROM pbc.budgets"
                            " WHERE pct_code = '5QA' AND period = '2006-09'",
                            0, NULL);
    cr_assert_eq(PQntuples(r), 9, "nine budget practices in the sample");
    static const char *const ids[] = {"historic", "uplifted_historic", "fair_share", "budget",
                                      "contingency", "annual_budget"};
    for (int i = 0; i < PQntuples(r); i++) {
        g_autofree char *file = g_strdup_printf("%s.html", PQgetvalue(r, i, 0));
        g_autofree char *page = read_page(file);
        g_autofree char *sect = slice(page, "<section id=\"budget\">", "</section>");
        for (guint f = 0; f < G_N_ELEMENTS(ids); f++) {
            g_autofree char *want = g_strdup_printf("id=\"b-%s\" data-pence=\"%s\"", ids[f],
                                                    PQgetvalue(r, i, (int)f + 1));
            cr_expect(strstr(sect, want) != NULL, "%s: %s", file, want);
        }
        /* The distance from target with its six decimals (R-B5), a minus as a minus sign. */
        const char *dist = PQgetvalue(r, i, 7);
        g_autofree char *shown = dist[0] == '-' ? g_strconcat("\xe2\x88\x92", dist + 1, NULL)
                                                : g_strdup(dist);
        cr_expect(strstr(sect, shown) != NULL, "%s: %s", file, shown);
    }
    PQclear(r);
    /* L81011 opened in June 2006: no budget practice, no budget. */
    g_autofree char *page = read_page("L81011.html");
    cr_expect(strstr(page, "The practice has no indicative budget for 2006/07") != NULL);
    PQfinish(c);
}

/* Issue 10: nothing in the sample's month is closed, so the page says it is provisional;
 * it is the month's first publication, so nothing changed and there is no change column. */
Test(statements, an_open_month_is_shown_provisional)
{
    g_autofree char *page = read_page("L81001.html");
    cr_expect(strstr(page, "id=\"period-status\">provisional</span>") != NULL);
    cr_expect(strstr(page, "<strong>Provisional</strong>: finance has not closed September "
                           "2006 yet") != NULL);
    cr_expect(strstr(page, "month closed") == NULL);
    cr_expect(strstr(page, "This is the first publication of September 2006") != NULL);
    g_autofree char *index = read_page("index.html");
    cr_expect(strstr(index, "id=\"period-status\">provisional</span>") != NULL);
    cr_expect(strstr(index, "last run") == NULL);
    g_autofree char *csv = page_path("L81001_changes.csv");
    cr_expect_eq(mode_of(csv), 0600);
}

/* ---- other renders ----------------------------------------------------------- */

/* Row-level security through the 010 views: a practice's role renders only its own. */
Test(statements, a_practice_role_renders_only_its_own_statement)
{
    g_autofree char *log = NULL;
    g_autofree char *bin = t_bin();
    cr_assert_eq(t_sh(&log, "cd '%s' && '%s/pbc-publish' -q --create-roles --ref sample/ref 2>&1",
                      t_root(), bin),
                 0, "%s", log);
    g_autofree char *root = copy_run();
    g_free(g_steal_pointer(&log));
    int rc = t_sh(&log,
                  "PGOPTIONS='-c role=pbc_practice_l81001' '%s/pbc-statements' -q --out '%s/out' 2>&1",
                  bin, root);
    cr_assert_eq(rc, 0, "%s", log);
    g_autofree char *ls = NULL;
    t_sh(&ls, "cd '%s/out/statements' && ls | tr '\\n' ' '", root);
    cr_expect_str_eq(ls, "L81001.html L81001_changes.csv L81001_charges.csv consortium_5QAC01.html index.html "
                         "pct.html ");
    /* Its page is the same as finance's, patients and all (the footer aside: the role cannot
     * read the load audit). */
    g_autofree char *mine_path = g_build_filename(root, "out", "statements", "L81001.html", NULL);
    g_autofree char *mine = t_read_text(mine_path);
    g_autofree char *all = read_page("L81001.html");
    g_autofree char *mine_body = slice(mine, "<header", "<footer>");
    g_autofree char *all_body = slice(all, "<header", "<footer>");
    cr_expect_str_eq(mine_body, all_body);
    /* The index lists no other practice. */
    g_autofree char *index_path = g_build_filename(root, "out", "statements", "index.html", NULL);
    g_autofree char *index = t_read_text(index_path);
    cr_expect(strstr(index, "L81003") == NULL && strstr(index, "L81001") != NULL);
    /* A role mapped to no practice sees no statement: exit 4. */
    g_free(g_steal_pointer(&log));
    rc = t_sh(&log, "PGOPTIONS='-c role=pbc_reader' '%s/pbc-statements' --out '%s/out' 2>&1", bin,
              root);
    cr_expect_eq(rc, 4, "%s", log);
    cr_expect(strstr(log, "pbc-statements: error: no statements published for PCT 5QA, period "
                          "2006-09") != NULL,
              "%s", log);
    t_rmrf(root);
}

/* A re-render replaces the whole set: a stale page goes, nothing half-made is left. */
Test(statements, rerendering_replaces_the_set)
{
    g_autofree char *root = copy_run();
    g_autofree char *log = NULL;
    cr_assert_eq(run_statements(&log, "-q --out '%s/out'", root), 0, "%s", log);
    g_autofree char *stale = g_build_filename(root, "out", "statements", "L99999.html", NULL);
    cr_assert(g_file_set_contents(stale, "old", -1, NULL));
    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_statements(&log, "--out '%s/out'", root), 0, "%s", log);
    cr_expect(strstr(log, "pbc-statements: wrote 10 practice statements (") != NULL, "%s", log);
    cr_expect_not(g_file_test(stale, G_FILE_TEST_EXISTS), "the stale page is gone");
    g_autofree char *hidden = NULL;
    t_sh(&hidden, "ls -A '%s/out' | grep '^\\.statements' || true", root);
    cr_expect_str_eq(hidden, "", "no working directory left");
    /* A month with nothing published fails (exit 4) and leaves the set as it was. */
    g_free(g_steal_pointer(&log));
    cr_expect_eq(run_statements(&log, "--out '%s/out' --period 2006-08", root), 4, "%s", log);
    cr_expect(strstr(log, "pbc-statements: error: no statements published for PCT 5QA, period "
                          "2006-08\ndetail: ") != NULL,
              "%s", log);
    cr_expect(strstr(log, "hint: publish the run first") != NULL, "%s", log);
    g_autofree char *index = g_build_filename(root, "out", "statements", "index.html", NULL);
    cr_expect(g_file_test(index, G_FILE_TEST_EXISTS));
    g_free(g_steal_pointer(&hidden));
    t_sh(&hidden, "ls -A '%s/out' | grep '^\\.statements' || true", root);
    cr_expect_str_eq(hidden, "");
    t_rmrf(root);
}

/* The page's view of the month's state, as pbc.v_period_status has it (London time). */
static char *
state_time(PGconn *c, const char *column, const char *pct)
{
    g_autofree char *sql = g_strdup_printf(
        "SELECT to_char(%s AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY, HH24:MI')"
        " FROM pbc.v_period_status WHERE pct_code = $1 AND period = '2006-09'",
        column);
    return pgh_value(c, sql, pct);
}

/*
 * Issue 10: a month's state on the pages through close, re-open and an
 * unchanged re-publication (docs/month_end.md), with the close note and the
 * re-open reason escaped like every database string.
 */
Test(statements, closed_and_reopened_months_say_who_when_and_why)
{
    Fix *f = fix_new("T08");
    g_autofree char *log = NULL;
    cr_assert_eq(run_publish(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_statements(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_autofree char *path = g_build_filename(f->out, "statements", "A81001.html", NULL);
    g_autofree char *first = t_read_text(path);
    cr_expect(strstr(first, "id=\"period-status\">provisional</span>") != NULL);
    cr_expect(strstr(first, "This is the first publication of September 2006") != NULL);
    cr_expect(strstr(first, "id=\"prior-month-summary\" data-pence=\"0\">None") != NULL);

    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_publish(&log, "-q --close T08 2006-09 --reason '<b>checked</b> & signed'"), 0,
                 "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_statements(&log, "-q --out '%s'", f->out), 0, "%s", log);
    PGconn *c = pgh_connect();
    g_autofree char *closed_at = state_time(c, "closed_at", "T08");
    g_autofree char *closed = t_read_text(path);
    g_autofree char *who = g_strdup_printf("<strong>Closed</strong> by <strong id=\"closed-by\">%s"
                                           "</strong> on <strong id=\"closed-at\">%s</strong>",
                                           g_getenv("PGUSER"), closed_at);
    cr_expect(strstr(closed, who) != NULL, "%s", who);
    cr_expect(strstr(closed, "id=\"period-status\">month closed</span>") != NULL);
    cr_expect(strstr(closed, "Note: &lt;b&gt;checked&lt;/b&gt; &amp; signed") != NULL);
    g_autofree char *index_path = g_build_filename(f->out, "statements", "index.html", NULL);
    g_autofree char *index = t_read_text(index_path);
    cr_expect(strstr(index, who) != NULL, "the index says so too");

    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_publish(&log, "-q --reopen T08 2006-09 --reason 'RA9 <re-sent> July'"), 0,
                 "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_statements(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_autofree char *reopened_at = state_time(c, "reopened_at", "T08");
    g_autofree char *reopened = t_read_text(path);
    g_autofree char *why = g_strdup_printf("The month was re-opened by %s on %s: &#8220;RA9 "
                                           "&lt;re-sent&gt; July&#8221;.",
                                           g_getenv("PGUSER"), reopened_at);
    cr_expect(strstr(reopened, "id=\"period-status\">provisional</span>") != NULL);
    cr_expect(strstr(reopened, why) != NULL, "%s", why);
    cr_expect(strstr(reopened, "id=\"closed-by\"") == NULL);

    /* The same run published again: compared with the run it replaced, nothing moved. */
    g_autofree char *before = pgh_value(c, "SELECT max(load_id) FROM pbc.loads WHERE pct_code = $1"
                                           " AND status = 'OK'", "T08");
    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_publish(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_statements(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_autofree char *again = t_read_text(path);
    g_autofree char *none = g_strdup_printf("id=\"changes-summary\" data-units=\"0\" "
                                            "data-pence=\"0\">Since load %s, the run this "
                                            "publication replaced, none of the practice's units "
                                            "changed.",
                                            before);
    cr_expect(strstr(again, none) != NULL, "%s", none);
    g_autofree char *csv = g_build_filename(f->out, "statements", "A81001_changes.csv", NULL);
    TCsv *t = t_csv_read(csv);
    cr_expect_eq(t->rows->len, 0);
    t_csv_free(t);
    cr_expect_eq(mode_of(csv), 0600);
    PQfinish(c);
    fix_free(f);
}

/* Every database string is escaped: a hostile practice name and consortium code stay text. */
Test(statements, database_strings_are_escaped)
{
    Fix *f = fix_new("T07");
    g_autofree char *practices = g_build_filename(f->ref, "practices.csv", NULL);
    cr_assert(g_file_set_contents(
        practices,
        "practice_code,practice_name,consortium_code,pct_code,open_date,close_date,successor_code\n"
        "A81001,\"<script>alert('x')</script> & \"\"Sons\"\"\n2nd line\",C<1>,5QA,1990-01-01,,\n"
        "A81002,Hill Practice,C<1>,5QA,1990-01-01,2006-06-01,A81001\n"
        "A81003,Other PCT,C2,5QB,1990-01-01,,\n",
        -1, NULL));
    g_autofree char *log = NULL;
    cr_assert_eq(run_publish(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_statements(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_autofree char *dir = g_build_filename(f->out, "statements", NULL);
    g_autofree char *page_file = g_build_filename(dir, "A81001.html", NULL);
    g_autofree char *page = t_read_text(page_file);
    g_autoptr(GError) e = NULL;
    cr_expect(render_check_wellformed(page, "html", &e), "%s", e ? e->message : "");
    cr_expect(strstr(page, "<script") == NULL);
    cr_expect(strstr(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                           "&quot;Sons&quot;\n2nd line") != NULL);
    /* The consortium code makes a safe file name and a safe link. */
    g_autofree char *cons = g_build_filename(dir, "consortium_C_1_.html", NULL);
    cr_expect(g_file_test(cons, G_FILE_TEST_EXISTS));
    cr_expect(strstr(page, "href=\"consortium_C_1_.html\"") != NULL);
    cr_expect(strstr(page, "consortium C&lt;1&gt;") != NULL);
    /* The fixture's statement, worked out by hand in docs/outputs.md: budget to date
     * round(16531 × 6 / 12) = 8266, spend 200000, variance −191734, forecast 400000. */
    cr_expect(strstr(page, "data-pence=\"8266\"") != NULL && strstr(page, "\xc2\xa3" "82.66") != NULL);
    cr_expect(strstr(page, "\xc2\xa3" "2,000.00") != NULL);
    cr_expect(strstr(page, "\xe2\x88\x92\xc2\xa3" "1,917.34") != NULL);
    cr_expect(strstr(page, "\xc2\xa3" "4,000.00") != NULL);
    for (const char *const *n = (const char *const[]){"index.html", "pct.html", "A81002.html", NULL};
         *n; n++) {
        g_autofree char *p = g_build_filename(dir, *n, NULL);
        g_autofree char *t = t_read_text(p);
        g_clear_error(&e);
        cr_expect(render_check_wellformed(t, "html", &e), "%s: %s", *n, e ? e->message : "");
        cr_expect(strstr(t, "<script") == NULL, "%s", *n);
    }
    fix_free(f);
}

/* ---- pbc.nhs_number_valid (010) against lib/nhs.c -------------------------------- */

typedef struct {
    char nhs[16];
    gboolean valid;
} NhsCase;

static NhsCase nhs_cases[] = {
    {"9434765919", TRUE},  /* the Data Dictionary's example */
    {"9434765918", FALSE}, /* wrong check digit */
    {"0000000000", TRUE},  /* sum 0: 11 − 0 = 11 means check digit 0 */
    {"4010232137", TRUE},  /* 40+0+8+0+12+15+8+3+6 = 92; 92 mod 11 = 4; 11 − 4 = 7 */
    {"1000000010", FALSE}, /* 10 + 2 = 12 ≡ 1: check digit 10, never valid */
    {"1000000011", FALSE},
    {"943476591", FALSE},  /* nine digits */
    {"94347659190", FALSE},
    {"943476591a", FALSE},
    {"943 476 5919", FALSE}, /* as recorded, spaces are not stripped */
    {"", FALSE},
};

ParameterizedTestParameters(statements, nhs_number_valid_in_sql_matches_lib_nhs)
{
    return cr_make_param_array(NhsCase, nhs_cases, sizeof nhs_cases / sizeof nhs_cases[0]);
}

ParameterizedTest(NhsCase *n, statements, nhs_number_valid_in_sql_matches_lib_nhs)
{
    cr_expect_eq(nhs_number_valid(n->nhs), n->valid, "lib/nhs.c on \"%s\"", n->nhs);
    PGconn *c = pgh_connect();
    g_autofree char *v = pgh_value(c, "SELECT pbc.nhs_number_valid($1)::text", n->nhs);
    cr_expect_str_eq(v, n->valid ? "true" : "false", "SQL on \"%s\"", n->nhs);
    g_autofree char *null = pgh_value(c, "SELECT pbc.nhs_number_valid(NULL)::text", NULL);
    cr_expect_str_eq(null, "false");
    PQfinish(c);
}

/* ---- month end: a changed run, a closed month (issue 10) ----------------------------
 *
 * PRE_ALL also runs the sample as PCT 5QM (so that 5QA above is never
 * touched), in root/me:
 *   August     the sample's extracts, published and closed;
 *   September  "flex": the sample's extracts, published (the month's first
 *              publication: nothing to compare);
 *   September  "freeze": the same less two extracts (apc_RA9_2006-09_v2, a
 *              provider's corrections, and op_RA9_2006-08, a month's
 *              outpatients), published over the flex.
 * pipeline.mk's publish target renders the statements after each publish.
 * These tests read the freeze's pages and files and compare them with
 * pbc.v_statement_status, v_statement_changes_pod, v_statement_changes and
 * v_statement_prior_month penny for penny: every practice's change since the
 * flex, its change by POD, its changes file unit by unit, its prior-month
 * adjustments against the closed August; the index's and PCT page's
 * changes; a closed month's who and when; month-end figures that do not add
 * up (exit 1, nothing written).
 */

/* A file of the freeze's statements directory. */
static char *
freeze_path(const char *name)
{
    return g_build_filename(root_dir(), "me", "out_freeze", "statements", name, NULL);
}

/* A change as the pages print it: "+£12.00", "−£3.50", "£0.00". */
static char *
t_change(int64_t pence)
{
    g_autofree char *m = t_money(pence < 0 ? -pence : pence);
    return g_strdup_printf("%s%s", pence > 0 ? "+" : pence < 0 ? "\xe2\x88\x92" : "", m);
}

static gint64
num(PGresult *r, int row, const char *col)
{
    int c = PQfnumber(r, col);
    cr_assert(c >= 0, "no column %s", col);
    return g_ascii_strtoll(PQgetvalue(r, row, c), NULL, 10);
}

static const char *
str(PGresult *r, int row, const char *col)
{
    int c = PQfnumber(r, col);
    cr_assert(c >= 0, "no column %s", col);
    return PQgetvalue(r, row, c);
}

/* The freeze's statements with their month end (v_statement_status). */
static PGresult *
statuses(PGconn *c)
{
    return pgh_query(c,
                     "SELECT practice_code, from_load_id, units_changed, delta_spend_pence,"
                     " prior_month_adjustments, prior_month_delta_pence"
                     " FROM pbc.v_statement_status WHERE pct_code = '" ME_PCT "'"
                     " AND period = '2006-09' ORDER BY practice_code",
                     0, NULL);
}

/* ---- the practice pages ------------------------------------------------------------ */

/* Each page's change since the flex and its change by POD are the views'. */
Test(month_end, each_statement_shows_its_change_since_the_previous_run)
{
    PGconn *c = pgh_connect();
    PGresult *st = statuses(c);
    cr_assert_gt(PQntuples(st), 0);
    g_autofree char *flex_load = pgh_value(
        c, "SELECT max(load_id) FROM pbc.loads WHERE pct_code = $1 AND period = '2006-09'"
           " AND status = 'OK' AND replaced_by IS NOT NULL", ME_PCT);
    gint64 changed = 0;
    for (int i = 0; i < PQntuples(st); i++) {
        const char *code = str(st, i, "practice_code");
        cr_expect_str_eq(str(st, i, "from_load_id"), flex_load, "%s: compared with the flex", code);
        g_autofree char *file = g_strdup_printf("%s.html", code);
        g_autofree char *path = freeze_path(file);
        g_autofree char *page = t_read_text(path);
        g_autofree char *summary = g_strdup_printf(
            "id=\"changes-summary\" data-units=\"%s\" data-pence=\"%s\">Since load %s, ",
            str(st, i, "units_changed"), str(st, i, "delta_spend_pence"), flex_load);
        cr_expect(strstr(page, summary) != NULL, "%s: %s", code, summary);
        changed += num(st, i, "units_changed");
        /* The change by POD, row by row: units then, now, change; spend then, now, change. */
        const char *params[] = {code};
        PGresult *pods = pgh_query(c,
                                   "SELECT pod, from_units, to_units, delta_units,"
                                   " from_practice_pence, to_practice_pence, delta_practice_pence"
                                   " FROM pbc.v_statement_changes_pod WHERE pct_code = '" ME_PCT "'"
                                   " AND period = '2006-09' AND practice_code = $1",
                                   1, params);
        for (int k = 0; k < PQntuples(pods); k++) {
            g_autofree char *marker = g_strdup_printf("<tr id=\"change-%s\">", str(pods, k, "pod"));
            g_autofree char *row = slice(page, marker, "</tr>");
            g_autofree char *from = t_money(num(pods, k, "from_practice_pence"));
            g_autofree char *to = t_money(num(pods, k, "to_practice_pence"));
            g_autofree char *delta = t_change(num(pods, k, "delta_practice_pence"));
            g_autofree char *units = g_strdup_printf(
                "<td class=\"num\">%s</td><td class=\"num\">%s</td>", str(pods, k, "from_units"),
                str(pods, k, "to_units"));
            cr_expect(strstr(row, units) != NULL, "%s %s: %s", code, marker, units);
            cr_expect(strstr(row, from) && strstr(row, to) && strstr(row, delta),
                      "%s %s: %s %s %s in %s", code, marker, from, to, delta, row);
        }
        PQclear(pods);
    }
    cr_expect_gt(changed, 0, "the freeze changed something (the test is not vacuous)");
    PQclear(st);
    PQfinish(c);
}

/* Each <practice>_changes.csv is the practice's rows of v_statement_changes, unit for unit. */
Test(month_end, each_changes_file_is_the_view_unit_by_unit)
{
    PGconn *c = pgh_connect();
    PGresult *st = statuses(c);
    guint64 all = 0;
    for (int i = 0; i < PQntuples(st); i++) {
        const char *code = str(st, i, "practice_code");
        g_autofree char *file = g_strdup_printf("%s_changes.csv", code);
        g_autofree char *path = freeze_path(file);
        struct stat sb;
        cr_assert_eq(stat(path, &sb), 0, "%s", path);
        cr_expect_eq(sb.st_mode & 0777, 0600, "%s: patient data, owner only", file);
        TCsv *t = t_csv_read(path);
        GString *got = g_string_new(NULL);
        gint64 sum = 0;
        for (guint k = 0; k < t->rows->len; k++) {
            GHashTable *row = g_ptr_array_index(t->rows, k);
            g_string_append_printf(got, "%s %s %s %s %s %s|", t_get(row, "practice_code"),
                                   t_get(row, "unit_id"), t_get(row, "change"),
                                   t_get(row, "reason"), t_get(row, "nhs_number"),
                                   t_get(row, "delta_spend_pence"));
            sum += t_int(row, "delta_spend_pence");
        }
        const char *params[] = {code};
        g_autofree char *want = pgh_value(
            c,
            "SELECT coalesce(string_agg(practice_code || ' ' || unit_id || ' ' || change || ' ' ||"
            " coalesce(reason, '') || ' ' || coalesce(nhs_number, '') || ' ' || delta_spend_pence,"
            " '|' ORDER BY array_position(ARRAY['ADDED','REMOVED','REATTRIBUTED','REPRICED',"
            "'REDATED'], change), reason COLLATE \"C\", dataset COLLATE \"C\","
            " unit_id COLLATE \"C\") || '|', '')"
            " FROM pbc.v_statement_changes WHERE pct_code = '" ME_PCT "' AND period = '2006-09'"
            " AND practice_code = $1",
            params[0]);
        cr_expect_str_eq(got->str, want, "%s", file);
        cr_expect_eq((gint64)t->rows->len, num(st, i, "units_changed"), "%s", file);
        cr_expect_eq(sum, num(st, i, "delta_spend_pence"), "%s: the statement's change", file);
        all += t->rows->len;
        g_string_free(got, TRUE);
        t_csv_free(t);
    }
    cr_expect_gt(all, 0);
    PQclear(st);
    PQfinish(c);
}

/* Late data for the closed August: each page's prior-month table is the view's. */
Test(month_end, prior_month_adjustments_restate_the_closed_august)
{
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(c,
                            "SELECT practice_code, activity_month, closed_period, closed_load_id,"
                            " closed_units, units, closed_practice_pence, practice_pence,"
                            " delta_practice_pence FROM pbc.v_statement_prior_month"
                            " WHERE pct_code = '" ME_PCT "' AND period = '2006-09'",
                            0, NULL);
    cr_assert_gt(PQntuples(r), 0, "op_RA9_2006-08 left out restates August");
    g_autofree char *aug = pgh_value(c, "SELECT closed_load_id FROM pbc.periods WHERE pct_code = $1"
                                        " AND period = '2006-08'", ME_PCT);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *code = str(r, i, "practice_code");
        cr_expect_str_eq(str(r, i, "closed_period"), "2006-08");
        cr_expect_str_eq(str(r, i, "closed_load_id"), aug);
        g_autofree char *file = g_strdup_printf("%s.html", code);
        g_autofree char *path = freeze_path(file);
        g_autofree char *page = t_read_text(path);
        g_autofree char *marker = g_strdup_printf("<tr id=\"prior-%s\">", str(r, i, "activity_month"));
        g_autofree char *row = slice(page, marker, "</tr>");
        g_autofree char *with = g_strdup_printf("the August 2006 statement (load %s)", aug);
        g_autofree char *then = t_money(num(r, i, "closed_practice_pence"));
        g_autofree char *now = t_money(num(r, i, "practice_pence"));
        g_autofree char *delta = t_change(num(r, i, "delta_practice_pence"));
        cr_expect(strstr(row, with) && strstr(row, then) && strstr(row, now) && strstr(row, delta),
                  "%s: %s %s %s %s in %s", code, with, then, now, delta, row);
    }
    PQclear(r);
    /* Every statement's total restatement is on its page. */
    PGresult *st = statuses(c);
    for (int i = 0; i < PQntuples(st); i++) {
        g_autofree char *file = g_strdup_printf("%s.html", str(st, i, "practice_code"));
        g_autofree char *path = freeze_path(file);
        g_autofree char *page = t_read_text(path);
        g_autofree char *want = g_strdup_printf("id=\"prior-month-summary\" data-pence=\"%s\"",
                                                str(st, i, "prior_month_delta_pence"));
        cr_expect(strstr(page, want) != NULL, "%s: %s", file, want);
    }
    PQclear(st);
    PQfinish(c);
}

/* ---- the index and the PCT page ------------------------------------------------------- */

Test(month_end, index_and_pct_page_show_each_practice_change)
{
    PGconn *c = pgh_connect();
    PGresult *st = statuses(c);
    g_autofree char *index_path = freeze_path("index.html");
    g_autofree char *index = t_read_text(index_path);
    g_autofree char *pct_path = freeze_path("pct.html");
    g_autofree char *pct = t_read_text(pct_path);
    cr_expect(strstr(index, "Change since<br/>last run") != NULL);
    gint64 total = 0;
    for (int i = 0; i < PQntuples(st); i++) {
        g_autofree char *marker = g_strdup_printf("<tr id=\"row-%s\">", str(st, i, "practice_code"));
        g_autofree char *row = slice(index, marker, "</tr>");
        g_autofree char *delta = t_change(num(st, i, "delta_spend_pence"));
        cr_expect(strstr(row, delta) != NULL, "%s: %s in %s", marker, delta, row);
        g_autofree char *pct_row = slice(pct, marker, "</tr>");
        cr_expect(strstr(pct_row, delta) != NULL, "pct.html %s: %s", marker, delta);
        total += num(st, i, "delta_spend_pence");
    }
    g_autofree char *sum = g_strdup_printf("id=\"changes-summary\" data-pence=\"%" G_GINT64_FORMAT
                                           "\"",
                                           total);
    cr_expect(strstr(index, sum) != NULL, "%s", sum);
    cr_expect(strstr(pct, sum) != NULL, "%s", sum);
    g_autofree char *total_text = t_change(total);
    g_autofree char *foot = slice(index, "<tfoot><tr><td>PCT total</td>", "</tr>");
    cr_expect(strstr(foot, total_text) != NULL, "%s in %s", total_text, foot);
    /* The flex, the month's first publication, had nothing to compare. */
    g_autofree char *flex_path = g_build_filename(root_dir(), "me", "out_flex", "statements",
                                                  "index.html", NULL);
    g_autofree char *flex = t_read_text(flex_path);
    cr_expect(strstr(flex, "This is the first publication of September 2006") != NULL);
    cr_expect(strstr(flex, "last run") == NULL);
    PQclear(st);
    PQfinish(c);
}

/* ---- the month's state ------------------------------------------------------------------ */

/* The closed August, rendered again: every page says who closed it and when. */
Test(month_end, a_closed_month_says_who_closed_it_and_when)
{
    g_autofree char *root = t_tmpdir();
    g_autofree char *bin = t_bin();
    g_autofree char *log = NULL;
    cr_assert_eq(t_sh(&log,
                      "mkdir -m 700 '%s/out' && cp '%s/me/out_aug/run.ini' '%s/out/' && "
                      "'%s/pbc-statements' -q --out '%s/out' 2>&1",
                      root, root_dir(), root, bin, root),
                 0, "%s", log);
    PGconn *c = pgh_connect();
    g_autofree char *at = pgh_value(
        c, "SELECT to_char(closed_at AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY, HH24:MI')"
           " FROM pbc.v_period_status WHERE pct_code = $1 AND period = '2006-08'", ME_PCT);
    g_autofree char *who = g_strdup_printf("<strong>Closed</strong> by <strong id=\"closed-by\">%s"
                                           "</strong> on <strong id=\"closed-at\">%s</strong>",
                                           g_getenv("PGUSER"), at);
    g_autofree char *ls = NULL;
    t_sh(&ls, "ls '%s/out/statements' | grep html", root);
    g_auto(GStrv) pages = g_strsplit(g_strstrip(ls), "\n", -1);
    cr_expect_gt(g_strv_length(pages), 3);
    for (char **p = pages; *p; p++) {
        g_autofree char *path = g_build_filename(root, "out", "statements", *p, NULL);
        g_autofree char *page = t_read_text(path);
        cr_expect(strstr(page, "id=\"period-status\">month closed</span>") != NULL, "%s", *p);
        cr_expect(strstr(page, who) != NULL, "%s: %s", *p, who);
    }
    PQfinish(c);
    t_rmrf(root);
}

/* ---- the cross-checks --------------------------------------------------------------------- */

/*
 * The month end must add up before anything is written: a change by POD that
 * the units changed do not explain is exit 1, and the statements directory
 * stays as it was.
 */
Test(month_end, month_end_figures_that_do_not_add_up_write_nothing)
{
    Fix *f = fix_new("T11");
    g_autofree char *log = NULL;
    cr_assert_eq(run_publish(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(run_publish(&log, "-q --out '%s'", f->out), 0, "%s", log);  /* nothing moved */
    g_autofree char *bin = t_bin();
    g_free(g_steal_pointer(&log));
    cr_assert_eq(t_sh(&log, "'%s/pbc-statements' -q --out '%s' 2>&1", bin, f->out), 0, "%s", log);
    g_autofree char *before = NULL;
    t_sh(&before, "cd '%s/statements' && ls -l --time-style=full-iso && md5sum *", f->out);
    /* A penny of change by POD that no unit of the change report explains. */
    PGconn *c = pgh_connect();
    pgh_exec(c, "INSERT INTO pbc.changes_by_practice (report_id, pct_code, period, from_load_id,"
                " to_load_id, practice_code, pod, from_units, to_units, delta_units,"
                " from_cost_pence, to_cost_pence, delta_cost_pence, from_practice_pence,"
                " to_practice_pence, delta_practice_pence, from_risk_pool_pence,"
                " to_risk_pool_pence, delta_risk_pool_pence)"
                " SELECT report_id, pct_code, period, from_load_id, to_load_id, 'A81001', 'EL',"
                " 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0 FROM pbc.change_reports r"
                " WHERE r.pct_code = 'T11' ORDER BY report_id DESC LIMIT 1");
    g_free(g_steal_pointer(&log));
    int rc = t_sh(&log, "'%s/pbc-statements' --out '%s' 2>&1", bin, f->out);
    cr_expect_eq(rc, 1, "%s", log);
    cr_expect(strstr(log, "pbc-statements: error: the changes since the previous run of practice "
                          "A81001 are 0 units and 0 pence, not its 0 units and 1 pence") != NULL,
              "%s", log);
    g_autofree char *after = NULL;
    t_sh(&after, "cd '%s/statements' && ls -l --time-style=full-iso && md5sum *", f->out);
    cr_expect_str_eq(after, before, "the statements stay as they were");
    g_autofree char *hidden = NULL;
    t_sh(&hidden, "ls -A '%s' | grep '^\\.statements' || true", f->out);
    cr_expect_str_eq(hidden, "", "no working directory left");
    pgh_exec(c, "DELETE FROM pbc.changes_by_practice WHERE pct_code = 'T11'");
    PQfinish(c);
    fix_free(f);
}

/* ---- the command line ------------------------------------------------------------ */

typedef struct {
    char args[160];  /* %s: a temporary directory with no run.ini */
    int exit_code;
    char output[120];
} CliCase;

static CliCase cli_cases[] = {
    {"--help", 0, "Examples:"},
    {"--help", 0, "--period=YYYY-MM"},
    {"--version", 0, "pbc-statements (pbc-pipeline) 1.0"},
    {"--bogus", 2, "try \"pbc-statements --help\" for more information"},
    {"", 2, "pbc-statements: error: no output directory: give --out DIR"},
    {"--out %s extra", 2, "too many arguments"},
    {"--out %s --period 2006-13", 2, "error: invalid period \"2006-13\": expected YYYY-MM"},
    {"--out %s --pct ' '", 2, "--pct needs a PCT code"},
    {"--out %s", 3, "could not read file \"%s/run.ini\""},
    {"--out %s", 3, "hint: give the PCT and month with --pct CODE --period YYYY-MM"},
    {"--out %s/missing --pct 5QA --period 2006-09", 3,
     "output directory \"%s/missing\" does not exist"},
    {"--out %s --pct NOPE --period 2006-09", 4,
     "error: no statements published for PCT NOPE, period 2006-09"},
    {"--dbname 'host=/nonexistent' --out %s --pct 5QA --period 2006-09", 4,
     "error: could not connect"},
};

ParameterizedTestParameters(statements, command_line)
{
    return cr_make_param_array(CliCase, cli_cases, sizeof cli_cases / sizeof cli_cases[0]);
}

ParameterizedTest(CliCase *c, statements, command_line)
{
    g_autofree char *dir = t_tmpdir();
    /* Each %s is the directory. */
    g_auto(GStrv) parts = g_strsplit(c->args, "%s", -1);
    g_autofree char *args = g_strjoinv(dir, parts);
    g_auto(GStrv) oparts = g_strsplit(c->output, "%s", -1);
    g_autofree char *want = g_strjoinv(dir, oparts);
    g_autofree char *log = NULL;
    int rc = run_statements(&log, "%s", args);
    cr_expect_eq(rc, c->exit_code, "pbc-statements %s: exit %d\n%s", args, rc, log);
    cr_expect(strstr(log, want) != NULL, "\"%s\" not in:\n%s", want, log);
    t_rmrf(dir);
}

/* A database without the 010 views (migrations not applied) says what to do (exit 4). */
Test(statements, a_database_without_the_views_says_to_migrate)
{
    PGconn *c = pgh_connect();
    pgh_exec(c, "CREATE DATABASE stmt_unmigrated");
    PQfinish(c);
    g_autofree char *dir = t_tmpdir();
    g_autofree char *log = NULL;
    cr_expect_eq(run_statements(&log, "--dbname dbname=stmt_unmigrated --out '%s' --pct 5QA "
                                      "--period 2006-09",
                                dir),
                 4, "%s", log);
    cr_expect(strstr(log, "pbc-statements: error: the database has no statement views") != NULL,
              "%s", log);
    cr_expect(strstr(log, "hint: apply the migrations: pbc-publish --migrate") != NULL, "%s", log);
    t_rmrf(dir);
}

/* A run.ini without the month is an input error (exit 3) naming the key. */
Test(statements, run_ini_without_a_period)
{
    g_autofree char *dir = t_tmpdir();
    g_autofree char *ini = g_build_filename(dir, "run.ini", NULL);
    cr_assert(g_file_set_contents(ini, "[run]\npct=5QA\n", -1, NULL));
    g_autofree char *log = NULL;
    cr_expect_eq(run_statements(&log, "--out '%s'", dir), 3, "%s", log);
    g_autofree char *want = g_strdup_printf("file \"%s\" has no key \"period\" in group [run]", ini);
    cr_expect(strstr(log, want) != NULL, "%s", log);
    t_rmrf(dir);
}

/* ---- a browser ------------------------------------------------------------------- */

/* The path of Chromium, or NULL when it is not installed. */
static char *
chromium(void)
{
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_find_program_in_path(names[i]);
        if (p)
            return p;
    }
    return NULL;
}

/* Loads a page in headless Chromium and returns the rendered DOM. */
static char *
dump_dom(const char *browser, const char *page)
{
    g_autofree char *profile = t_tmpdir();
    g_autofree char *dom = NULL;
    int rc = t_sh(&dom,
                  "timeout 120 '%s' --headless --no-sandbox --disable-gpu --disable-quic "
                  "--no-first-run --disable-background-networking --disable-component-update "
                  "--disable-sync --user-data-dir='%s' --dump-dom 'file://%s' 2>/dev/null",
                  browser, profile, page);
    t_rmrf(profile);
    cr_assert_eq(rc, 0, "chromium failed on %s", page);
    return g_steal_pointer(&dom);
}

/* The index and a statement, loaded by a real browser: figures and chart are there. */
Test(statements, chromium_renders_the_index_and_a_statement)
{
    g_autofree char *browser = chromium();
    if (browser == NULL)
        cr_skip("chromium is not installed");
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(c,
                            "SELECT spend_ytd, budget_ytd, variance_ytd, forecast_outturn"
                            " FROM pbc.v_statement WHERE pct_code = '5QA' AND period = '2006-09'"
                            " AND practice_code = 'L81001'",
                            0, NULL);
    cr_assert_eq(PQntuples(r), 1);
    g_autofree char *index_path = page_path("index.html");
    g_autofree char *index = dump_dom(browser, index_path);
    cr_expect(strstr(index, "id=\"row-L81001\"") != NULL, "the index rendered:\n%.400s", index);
    g_autofree char *page_file = page_path("L81001.html");
    g_autofree char *page = dump_dom(browser, page_file);
    for (int f = 0; f < 4; f++) {
        g_autofree char *m = t_money(g_ascii_strtoll(PQgetvalue(r, 0, f), NULL, 10));
        cr_expect(strstr(index, m) != NULL, "index: %s", m);
        cr_expect(strstr(page, m) != NULL, "statement: %s", m);
    }
    cr_expect(strstr(page, "<svg") != NULL, "the charts are in the DOM");
    cr_expect(strstr(page, "id=\"chart-cumulative\"") != NULL);
    cr_expect(strstr(page, "id=\"chart-benchmarks\"") != NULL);
    cr_expect(strstr(page, "<polyline") != NULL && strstr(page, "<rect") != NULL);
    PQclear(r);
    PQfinish(c);
}
