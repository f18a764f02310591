/*
 * test_statements_month_end.c: the month end on the statement pages
 * (issue 10; docs/statements.md, docs/month_end.md) on the bundled sample,
 * checked against the views penny for penny.
 *
 * Before the tests (ReportHook PRE_ALL) the suite starts its own server and
 * runs the sample as PCT 5QM (the sample's reference data with 5QA renamed,
 * so that test_statements' 5QA is never touched):
 *   August     the sample's extracts, published and closed;
 *   September  "flex": the sample's extracts, published (the month's first
 *              publication: nothing to compare);
 *   September  "freeze": the same less two extracts (apc_RA9_2006-09_v2, a
 *              provider's corrections, and op_RA9_2006-08, a month's
 *              outpatients), published over the flex.
 * pipeline.mk's publish target renders the statements after each publish.
 * The tests then read the freeze's pages and files and compare them with
 * pbc.v_statement_status, v_statement_changes_pod, v_statement_changes and
 * v_statement_prior_month: every practice's change since the flex, its
 * change by POD, its changes file unit by unit, its prior-month adjustments
 * against the closed August; the index's and PCT page's changes; a closed
 * month's who and when; month-end figures that do not add up (exit 1,
 * nothing written).
 */
#include "pg_helpers.h"
#include "publish_fixture.h"

#include <criterion/hooks.h>
#include <string.h>
#include <sys/stat.h>

#define PCT "5QM"

/* ---- the suite's runs ------------------------------------------------------- */

static const char *
root_dir(void)
{
    return g_getenv("STME_ROOT");
}

/* A file of the freeze's statements directory. */
static char *
freeze_path(const char *name)
{
    return g_build_filename(root_dir(), "out_freeze", "statements", name, NULL);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    pgh_server_start();
    char *root = g_dir_make_tmp("pbc-test-stme-XXXXXX", NULL);
    if (root == NULL) {
        fprintf(stderr, "test_statements_month_end: could not make a temporary directory\n");
        exit(3);
    }
    g_setenv("STME_ROOT", root, TRUE);
    g_autofree char *bin = t_bin();
    g_autofree char *make = g_strdup_printf(
        "make --no-print-directory -s -f pipeline.mk BIN='%s' REF='%s/ref'", bin, root);
    g_autofree char *cmd = g_strdup_printf(
        "set -e; cd '%s'; cp -r sample/ref '%s/ref'; sed -i 's/5QA/" PCT "/g' '%s'/ref/practices.csv "
        "'%s'/ref/pbc.conf; cp -r sample/in '%s/in_flex'; cp -r sample/in '%s/in_freeze'; "
        "rm '%s'/in_freeze/apc_RA9_2006-09_v2.csv.gz '%s'/in_freeze/op_RA9_2006-08.csv.gz; "
        "%s IN='%s/in_flex' OUT='%s/out_aug' PERIOD=2006-08 publish; "
        "'%s/pbc-publish' -q --close " PCT " 2006-08; "
        "%s IN='%s/in_flex' OUT='%s/out_flex' PERIOD=2006-09 publish; "
        "%s IN='%s/in_freeze' OUT='%s/out_freeze' PERIOD=2006-09 publish",
        t_root(), root, root, root, root, root, root, root, make, root, root, bin, make, root, root,
        make, root, root);
    g_autofree char *log = NULL;
    int rc = pgh_system(&log, cmd);
    g_autofree char *rc_text = g_strdup_printf("%d", rc);
    g_setenv("STME_SETUP_RC", rc_text, TRUE);
    g_autofree char *log_path = g_build_filename(root, "setup.log", NULL);
    g_file_set_contents(log_path, log ? log : "", -1, NULL);
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

static void
setup(void)
{
    const char *rc = g_getenv("STME_SETUP_RC");
    g_autofree char *log_path = g_build_filename(root_dir(), "setup.log", NULL);
    g_autofree char *log = NULL;
    g_file_get_contents(log_path, &log, NULL, NULL);
    cr_assert(rc != NULL && strcmp(rc, "0") == 0, "the sample runs failed (%s):\n%s", rc,
              log ? log : "");
}

TestSuite(statements_month_end, .init = setup, .timeout = 240);

/* ---- helpers ------------------------------------------------------------------- */

/* Pence as the pages print them, written independently of lib/render_number.c. */
static char *
t_money(int64_t pence)
{
    uint64_t a = pence < 0 ? (uint64_t)0 - (uint64_t)pence : (uint64_t)pence;
    g_autofree char *digits = g_strdup_printf("%" G_GUINT64_FORMAT, a / 100);
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

/* A change as the pages print it: "+£12.00", "−£3.50", "£0.00". */
static char *
t_change(int64_t pence)
{
    g_autofree char *m = t_money(pence < 0 ? -pence : pence);
    return g_strdup_printf("%s%s", pence > 0 ? "+" : pence < 0 ? "\xe2\x88\x92" : "", m);
}

static char *
read_text(const char *path)
{
    char *text = NULL;
    cr_assert(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
    return text;
}

/* The part of page from marker to until (exclusive); asserts the marker is there. */
static char *
slice(const char *page, const char *marker, const char *until)
{
    const char *at = strstr(page, marker);
    cr_assert(at != NULL, "\"%s\" not on the page", marker);
    const char *end = strstr(at + strlen(marker), until);
    return end ? g_strndup(at, end - at) : g_strdup(at);
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
                     " FROM pbc.v_statement_status WHERE pct_code = '" PCT "'"
                     " AND period = '2006-09' ORDER BY practice_code",
                     0, NULL);
}

/* ---- the practice pages ------------------------------------------------------------ */

/* Each page's change since the flex and its change by POD are the views'. */
Test(statements_month_end, each_statement_shows_its_change_since_the_previous_run)
{
    PGconn *c = pgh_connect();
    PGresult *st = statuses(c);
    cr_assert_gt(PQntuples(st), 0);
    g_autofree char *flex_load = pgh_value(
        c, "SELECT max(load_id) FROM pbc.loads WHERE pct_code = $1 AND period = '2006-09'"
           " AND status = 'OK' AND replaced_by IS NOT NULL", PCT);
    gint64 changed = 0;
    for (int i = 0; i < PQntuples(st); i++) {
        const char *code = str(st, i, "practice_code");
        cr_expect_str_eq(str(st, i, "from_load_id"), flex_load, "%s: compared with the flex", code);
        g_autofree char *file = g_strdup_printf("%s.html", code);
        g_autofree char *path = freeze_path(file);
        g_autofree char *page = read_text(path);
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
                                   " FROM pbc.v_statement_changes_pod WHERE pct_code = '" PCT "'"
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
Test(statements_month_end, each_changes_file_is_the_view_unit_by_unit)
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
            " FROM pbc.v_statement_changes WHERE pct_code = '" PCT "' AND period = '2006-09'"
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
Test(statements_month_end, prior_month_adjustments_restate_the_closed_august)
{
    PGconn *c = pgh_connect();
    PGresult *r = pgh_query(c,
                            "SELECT practice_code, activity_month, closed_period, closed_load_id,"
                            " closed_units, units, closed_practice_pence, practice_pence,"
                            " delta_practice_pence FROM pbc.v_statement_prior_month"
                            " WHERE pct_code = '" PCT "' AND period = '2006-09'",
                            0, NULL);
    cr_assert_gt(PQntuples(r), 0, "op_RA9_2006-08 left out restates August");
    g_autofree char *aug = pgh_value(c, "SELECT closed_load_id FROM pbc.periods WHERE pct_code = $1"
                                        " AND period = '2006-08'", PCT);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *code = str(r, i, "practice_code");
        cr_expect_str_eq(str(r, i, "closed_period"), "2006-08");
        cr_expect_str_eq(str(r, i, "closed_load_id"), aug);
        g_autofree char *file = g_strdup_printf("%s.html", code);
        g_autofree char *path = freeze_path(file);
        g_autofree char *page = read_text(path);
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
        g_autofree char *page = read_text(path);
        g_autofree char *want = g_strdup_printf("id=\"prior-month-summary\" data-pence=\"%s\"",
                                                str(st, i, "prior_month_delta_pence"));
        cr_expect(strstr(page, want) != NULL, "%s: %s", file, want);
    }
    PQclear(st);
    PQfinish(c);
}

/* ---- the index and the PCT page ------------------------------------------------------- */

Test(statements_month_end, index_and_pct_page_show_each_practice_change)
{
    PGconn *c = pgh_connect();
    PGresult *st = statuses(c);
    g_autofree char *index_path = freeze_path("index.html");
    g_autofree char *index = read_text(index_path);
    g_autofree char *pct_path = freeze_path("pct.html");
    g_autofree char *pct = read_text(pct_path);
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
    g_autofree char *flex_path = g_build_filename(root_dir(), "out_flex", "statements",
                                                  "index.html", NULL);
    g_autofree char *flex = read_text(flex_path);
    cr_expect(strstr(flex, "This is the first publication of September 2006") != NULL);
    cr_expect(strstr(flex, "last run") == NULL);
    PQclear(st);
    PQfinish(c);
}

/* ---- the month's state ------------------------------------------------------------------ */

/* The closed August, rendered again: every page says who closed it and when. */
Test(statements_month_end, a_closed_month_says_who_closed_it_and_when)
{
    g_autofree char *root = t_tmpdir();
    g_autofree char *bin = t_bin();
    g_autofree char *log = NULL;
    cr_assert_eq(t_sh(&log,
                      "mkdir -m 700 '%s/out' && cp '%s/out_aug/run.ini' '%s/out/' && "
                      "'%s/pbc-statements' -q --out '%s/out' 2>&1",
                      root, root_dir(), root, bin, root),
                 0, "%s", log);
    PGconn *c = pgh_connect();
    g_autofree char *at = pgh_value(
        c, "SELECT to_char(closed_at AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY, HH24:MI')"
           " FROM pbc.v_period_status WHERE pct_code = $1 AND period = '2006-08'", PCT);
    g_autofree char *who = g_strdup_printf("<strong>Closed</strong> by <strong id=\"closed-by\">%s"
                                           "</strong> on <strong id=\"closed-at\">%s</strong>",
                                           g_getenv("PGUSER"), at);
    g_autofree char *ls = NULL;
    t_sh(&ls, "ls '%s/out/statements' | grep html", root);
    g_auto(GStrv) pages = g_strsplit(g_strstrip(ls), "\n", -1);
    cr_expect_gt(g_strv_length(pages), 3);
    for (char **p = pages; *p; p++) {
        g_autofree char *path = g_build_filename(root, "out", "statements", *p, NULL);
        g_autofree char *page = read_text(path);
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
Test(statements_month_end, month_end_figures_that_do_not_add_up_write_nothing)
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
