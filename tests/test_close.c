/*
 * test_close.c: month-end close (docs/month_end.md, lib/pub_period.c,
 * sql/migrations/011_month_end.sql), end to end against PostgreSQL.
 *
 * Finance closes a published month; publishing over it is then refused and
 * recorded as a failed load, the database unchanged; a re-open needs a
 * reason, and the close and the re-open are in the load audit
 * (pbc.period_events).  Late data for a closed month appears in a later
 * month's run as prior-month adjustments, while the closed month's published
 * figures stay as they were signed off.  Statements say whether their month
 * is provisional or closed.  The unit history keeps current and closed loads
 * and prunes old replaced ones.
 *
 * The data: tests/fixtures/close (see test_changes.c for the flex and the
 * freeze).  August's flex run (2006-08) has S1 (May), S3 (June), S2 (July),
 * S4, AT1, AT2 (August): A81001 312000 (S1 + S3 + S4 + AT1 12000), A81002
 * 106000 (S2 + AT2 6000).  September's freeze run restates those months:
 *   A81001 June    S3 deleted                      1 -> 0 units, -100000
 *   A81001 August  S4 gone to A81002, AT1 +500     2 -> 1 units,  -99500
 *   A81002 July    S2 +80000, S5 late +100000      1 -> 2 units, +180000
 *   A81002 August  S4 from A81001                  1 -> 2 units, +100000
 * and adds AT3 in September (A81002, OPFA TF 110, 10000).
 *
 * The suite starts its own server (pg_helpers.h); each test uses its own PCT.
 */
#include "pg_helpers.h"
#include "close_fixture.h"

#include <criterion/hooks.h>
#include <criterion/parameterized.h>
#include <string.h>

/* U+2212, the minus sign the pages print (written here, not taken from lib/). */
#define RENDER_MINUS_T "\xe2\x88\x92"

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    pgh_server_start();
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    pgh_server_stop();
}

/* The value of sql with $1 = the test's PCT. */
static char *
pct_value(PGconn *c, const char *sql)
{
    return pgh_value(c, sql, fx_pct);
}

/* Everything published for (PCT, 2006-08): the rows and the load behind them. */
static char *
august(PGconn *c)
{
    return pct_value(
        c, "SELECT (SELECT string_agg(s::text, '|' ORDER BY practice_code) FROM pbc.statements s"
           "         WHERE pct_code = $1 AND period = '2006-08') || '#' ||"
           " (SELECT string_agg(m::text, '|' ORDER BY practice_code, activity_month, pod)"
           "    FROM pbc.practice_month m WHERE pct_code = $1 AND period = '2006-08') || '#' ||"
           " (SELECT count(*) || ':' || sum(price_pence) || ':' || min(load_id)"
           "    FROM pbc.priced_activity WHERE pct_code = $1 AND period = '2006-08')");
}

/* ---- close, a refused publish, an audited re-open ------------------------------ */

Test(close, a_closed_month_refuses_a_publish_until_reopened_with_a_reason)
{
    Fx *f = fx_new("K01");
    fx_publish(f, "flex", "2006-08");
    g_autofree char *out = fx_out(f, "flex", "2006-08");
    PGconn *c = pgh_connect();
    g_autofree char *l1 = pct_value(c, "SELECT load_id FROM pbc.loads WHERE pct_code = $1");
    g_autofree char *st0 = pct_value(c, "SELECT pbc.period_status($1, '2006-08')");
    cr_expect_str_eq(st0, "PROVISIONAL");

    /* Close, with a note. */
    g_autofree char *log = NULL;
    cr_assert_eq(fx_run(f, &log, "--close K01 2006-08 --reason 'month-end meeting'"), 0, "%s",
                 log);
    g_autofree char *want = g_strdup_printf("pbc-publish: closed PCT K01 for 2006-08: load %s "
                                            "signed off by %s at ",
                                            l1, g_getenv("PGUSER"));
    cr_expect(strstr(log, want) != NULL, "%s", log);
    g_autofree char *state = pct_value(
        c, "SELECT status || ' ' || closed_load_id || ' ' || current_load_id || ' ' || closed_by"
           " || ' ' || closed_os_user || ' ' || close_note || ' ' || (closed_at IS NOT NULL)"
           " FROM pbc.periods WHERE pct_code = $1 AND period = '2006-08'");
    g_autofree char *want_state = g_strdup_printf("CLOSED %s %s %s %s month-end meeting true", l1,
                                                  l1, g_getenv("PGUSER"), g_get_user_name());
    cr_expect_str_eq(state, want_state);
    g_autofree char *before = august(c);

    /* A publish over the closed month: refused, exit 4, nothing changed, recorded. */
    g_free(g_steal_pointer(&log));
    int rc = fx_run(f, &log, "--out '%s'", out);
    cr_expect_eq(rc, 4, "%s", log);
    cr_expect(strstr(log, "pbc-publish: error: cannot publish PCT K01 for 2006-08: the month is "
                          "closed\n")
                  != NULL,
              "%s", log);
    g_autofree char *detail = g_strdup_printf("detail: load %s was closed by %s at ", l1,
                                              g_getenv("PGUSER"));
    cr_expect(strstr(log, detail) != NULL, "%s", log);
    cr_expect(strstr(log, "hint: late data for a closed month is reported by the next month's "
                          "run as prior-month adjustments")
                  != NULL,
              "%s", log);
    g_autofree char *after = august(c);
    cr_expect_str_eq(after, before, "a refused publish changes nothing");
    g_autofree char *failed = pct_value(
        c, "SELECT count(*) || ' ' || bool_and(message LIKE 'cannot publish PCT K01 for 2006-08:"
           " the month is closed%') FROM pbc.loads WHERE pct_code = $1 AND status = 'FAILED'");
    cr_expect_str_eq(failed, "1 true", "the refused attempt is in the load audit");
    /* The same through pipeline.mk: its publish target fails. */
    g_free(g_steal_pointer(&log));
    cr_expect_eq(fx_pipeline(f, "flex", "2006-08", "publish", &log), 2, "make: %s", log);

    /* A re-open without a reason is a usage error: nothing recorded. */
    static const char *const no_reason[] = {"", "--reason ''", "--reason '   '"};
    for (guint i = 0; i < G_N_ELEMENTS(no_reason); i++) {
        g_free(g_steal_pointer(&log));
        cr_expect_eq(fx_run(f, &log, "--reopen K01 2006-08 %s", no_reason[i]), 2, "%s", log);
        cr_expect(strstr(log, "pbc-publish: error: --reopen needs a reason") != NULL, "%s", log);
    }
    g_autofree char *events0 = pct_value(
        c, "SELECT count(*) FROM pbc.period_events WHERE pct_code = $1");
    cr_expect_str_eq(events0, "1");

    /* Re-open with a reason: provisional again, both events in the audit. */
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--reopen K01 2006-08 --reason 'RA9 freeze corrected July'"), 0,
                 "%s", log);
    cr_expect(strstr(log, "pbc-publish: re-opened PCT K01 for 2006-08") != NULL, "%s", log);
    g_autofree char *events = pct_value(
        c, "SELECT string_agg(event || ' ' || load_id || ' ' || coalesce(reason, '-') || ' ' ||"
           " db_session_user || ' ' || os_user, ', ' ORDER BY event_id)"
           " FROM pbc.period_events WHERE pct_code = $1");
    g_autofree char *want_events = g_strdup_printf(
        "CLOSE %s month-end meeting %s %s, REOPEN %s RA9 freeze corrected July %s %s", l1,
        g_getenv("PGUSER"), g_get_user_name(), l1, g_getenv("PGUSER"), g_get_user_name());
    cr_expect_str_eq(events, want_events);
    g_autofree char *reopened = pct_value(
        c, "SELECT status || ' ' || reopen_reason || ' ' || reopened_by FROM pbc.periods"
           " WHERE pct_code = $1 AND period = '2006-08'");
    g_autofree char *want_reopened = g_strdup_printf("PROVISIONAL RA9 freeze corrected July %s",
                                                     g_getenv("PGUSER"));
    cr_expect_str_eq(reopened, want_reopened);

    /* Now the publish goes through, and the month can be closed again. */
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--out '%s'", out), 0, "%s", log);
    g_autofree char *l2 = pct_value(c, "SELECT load_id FROM pbc.loads WHERE pct_code = $1"
                                       " AND status = 'OK' AND replaced_by IS NULL");
    cr_expect_str_neq(l2, l1);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--close K01 2006-08"), 0, "%s", log);
    g_autofree char *closed = pct_value(
        c, "SELECT status || ' ' || closed_load_id || ' ' || coalesce(close_note, '-')"
           " FROM pbc.periods WHERE pct_code = $1 AND period = '2006-08'");
    g_autofree char *want_closed = g_strdup_printf("CLOSED %s -", l2);
    cr_expect_str_eq(closed, want_closed);

    /* Closing twice moves nothing: the first sign-off stands, no new event. */
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--close K01 2006-08"), 0, "%s", log);
    cr_expect(strstr(log, "was already closed") != NULL, "%s", log);
    g_autofree char *n = pct_value(c, "SELECT count(*) FROM pbc.period_events WHERE pct_code = $1");
    cr_expect_str_eq(n, "3");
    PQfinish(c);
    fx_free(f);
}

Test(close, closing_signs_off_only_the_publication_that_was_reviewed)
{
    Fx *f = fx_new("K02");
    g_autofree char *log = NULL;
    /* Nothing published yet: nothing to close. */
    cr_expect_eq(fx_run(f, &log, "--close K02 2006-08"), 4, "%s", log);
    cr_expect(strstr(log, "pbc-publish: error: nothing is published for PCT K02 for 2006-08") !=
                  NULL,
              "%s", log);
    fx_publish(f, "flex", "2006-08");
    fx_publish(f, "flex", "2006-09");
    PGconn *c = pgh_connect();
    g_autofree char *cur = pct_value(c, "SELECT load_id FROM pbc.loads WHERE pct_code = $1"
                                        " AND period = '2006-08' AND status = 'OK'");
    g_autofree char *out8 = fx_out(f, "flex", "2006-08");
    g_autofree char *out9 = fx_out(f, "flex", "2006-09");

    /* A provisional month cannot be re-opened. */
    g_free(g_steal_pointer(&log));
    cr_expect_eq(fx_run(f, &log, "--reopen K02 2006-08 --reason x"), 4, "%s", log);
    cr_expect(strstr(log, "pbc-publish: error: PCT K02 for 2006-08 is not closed: there is "
                          "nothing to re-open")
                  != NULL,
              "%s", log);
    /* --load: only that load. */
    g_free(g_steal_pointer(&log));
    cr_expect_eq(fx_run(f, &log, "--close K02 2006-08 --load 999999999"), 4, "%s", log);
    cr_expect(strstr(log, "pbc-publish: error: load 999999999 is not the current publication of "
                          "PCT K02 for 2006-08")
                  != NULL,
              "%s", log);
    /* --out: the month of that run, published from there (not September's directory). */
    g_free(g_steal_pointer(&log));
    cr_expect_eq(fx_run(f, &log, "--close --out '%s' --load %s", out9, cur), 4, "%s", log);
    cr_expect(strstr(log, "is not the current publication of PCT K02 for 2006-09") != NULL, "%s",
              log);
    g_autofree char *none = pct_value(c, "SELECT count(*) FROM pbc.period_events"
                                         " WHERE pct_code = $1");
    cr_expect_str_eq(none, "0", "refusals record nothing");
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--close --out '%s' --load %s", out8, cur), 0, "%s", log);
    g_autofree char *st = pct_value(c, "SELECT string_agg(period || '=' || pbc.period_status($1,"
                                       " period), ' ' ORDER BY period) FROM pbc.periods"
                                       " WHERE pct_code = $1");
    cr_expect_str_eq(st, "2006-08=CLOSED 2006-09=PROVISIONAL");
    PQfinish(c);
    fx_free(f);
}

Test(close, closing_waits_for_a_publish_of_the_pct_or_fails_with_no_wait)
{
    Fx *f = fx_new("K05");
    fx_publish(f, "flex", "2006-08");
    PGconn *c = pgh_connect();
    /* Another session holds the PCT's lock, as a publish in progress does. */
    pgh_exec(c, "BEGIN");
    pgh_exec(c, "SELECT pg_advisory_xact_lock(1346520912, hashtext(upper('K05')))");
    g_autofree char *log = NULL;
    cr_expect_eq(fx_run(f, &log, "--close K05 2006-08 --no-wait"), 4, "%s", log);
    cr_expect(strstr(log, "pbc-publish: error: another publish, close or re-open of PCT K05 is in "
                          "progress")
                  != NULL,
              "%s", log);
    pgh_exec(c, "COMMIT");
    g_free(g_steal_pointer(&log));
    cr_expect_eq(fx_run(f, &log, "--close K05 2006-08 --no-wait"), 0, "%s", log);
    PQfinish(c);
    fx_free(f);
}

/* ---- late data for a closed month -------------------------------------------------- */

Test(close, late_data_for_a_closed_month_is_a_prior_month_adjustment)
{
    Fx *f = fx_new("K03");
    fx_publish(f, "flex", "2006-08");
    g_autofree char *log = NULL;
    cr_assert_eq(fx_run(f, &log, "--close K03 2006-08"), 0, "%s", log);
    PGconn *c = pgh_connect();
    g_autofree char *closed_load = pct_value(c, "SELECT closed_load_id FROM pbc.periods"
                                                " WHERE pct_code = $1");
    g_autofree char *signed_off = august(c);

    /* September, from the freeze, with its restated July and August. */
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_pipeline(f, "freeze", "2006-09", "publish", &log), 0, "%s", log);
    cr_expect(strstr(log, "prior-month adjustments to closed months: 4 practice-months, +80500 "
                          "pence")
                  != NULL,
              "%s", log);
    g_autofree char *out = fx_out(f, "freeze", "2006-09");
    g_autofree char *path = g_build_filename(out, "prior_month_adjustments.csv", NULL);
    TCsv *adj = t_csv_read(path);
    static const struct {
        const char *practice, *month;
        gint64 closed_units, units, closed_pence, pence;
    } want[] = {
        {"A81001", "2006-06", 1, 0, 100000, 0},      /* S3 deleted */
        {"A81001", "2006-08", 2, 1, 112000, 12500},  /* S4 moved away, AT1 re-priced */
        {"A81002", "2006-07", 1, 2, 100000, 280000}, /* S2 replaced, S5 late */
        {"A81002", "2006-08", 1, 2, 6000, 106000},   /* S4 moved in */
    };
    cr_assert_eq(adj->rows->len, G_N_ELEMENTS(want), "May did not move: no row");
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        GHashTable *r = g_ptr_array_index(adj->rows, i);
        cr_expect_str_eq(t_get(r, "practice_code"), want[i].practice);
        cr_expect_str_eq(t_get(r, "activity_month"), want[i].month);
        cr_expect_str_eq(t_get(r, "closed_period"), "2006-08");
        cr_expect_str_eq(t_get(r, "closed_load_id"), closed_load);
        cr_expect_eq(t_int(r, "closed_units"), want[i].closed_units);
        cr_expect_eq(t_int(r, "units"), want[i].units);
        cr_expect_eq(t_int(r, "delta_units"), want[i].units - want[i].closed_units);
        cr_expect_eq(t_int(r, "closed_practice_pence"), want[i].closed_pence);
        cr_expect_eq(t_int(r, "practice_pence"), want[i].pence);
        cr_expect_eq(t_int(r, "delta_practice_pence"), want[i].pence - want[i].closed_pence);
        cr_expect_eq(t_int(r, "delta_cost_pence"), want[i].pence - want[i].closed_pence);
        cr_expect_eq(t_int(r, "delta_risk_pool_pence"), 0);
    }
    t_csv_free(adj);

    /* Loaded, and the closed month's figures are exactly as signed off. */
    g_autofree char *loaded = pct_value(
        c, "SELECT count(*) || ' ' || sum(delta_practice_pence) FROM pbc.prior_month_adjustments"
           " WHERE pct_code = $1 AND period = '2006-09'");
    cr_expect_str_eq(loaded, "4 80500");
    g_autofree char *now = august(c);
    cr_expect_str_eq(now, signed_off);

    /* September's spend to date = the signed-off months + the adjustments + September. */
    g_autofree char *bad = pct_value(
        c, "SELECT count(*) FROM pbc.statements s"
           " WHERE s.pct_code = $1 AND s.period = '2006-09' AND s.spend_ytd <>"
           " (SELECT coalesce(sum(m.practice_pence), 0) FROM pbc.practice_month m"
           "   WHERE m.pct_code = $1 AND m.period = '2006-08' AND m.practice_code = s.practice_code)"
           " + (SELECT coalesce(sum(a.delta_practice_pence), 0) FROM pbc.prior_month_adjustments a"
           "   WHERE a.load_id = s.load_id AND a.practice_code = s.practice_code)"
           " + (SELECT coalesce(sum(m.practice_pence), 0) FROM pbc.practice_month m"
           "   WHERE m.pct_code = $1 AND m.period = '2006-09' AND m.practice_code = s.practice_code"
           "     AND m.activity_month = '2006-09')");
    cr_expect_str_eq(bad, "0");
    g_autofree char *a81002 = pct_value(c, "SELECT spend_ytd FROM pbc.statements WHERE pct_code ="
                                           " $1 AND period = '2006-09' AND practice_code = 'A81002'");
    cr_expect_str_eq(a81002, "396000", "106000 signed off + 280000 adjustments + 10000 (AT3)");

    /* With August provisional again, September's run has nothing to adjust. */
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--reopen K03 2006-08 --reason test"), 0, "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--out '%s'", out), 0, "%s", log);
    adj = t_csv_read(path);
    cr_expect_eq(adj->rows->len, 0);
    t_csv_free(adj);
    PQfinish(c);
    fx_free(f);
}

/* ---- statements: provisional or closed -------------------------------------------- */

static char *
read_text(const char *dir, const char *name)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    return t_read_text(p);
}

/* Runs pbc-statements on an output directory (the pages go to DIR/statements). */
static int
fx_statements(Fx *f, char **log, const char *out)
{
    return t_sh(log, "'%s/pbc-statements' -q --out '%s' 2>&1", f->bin, out);
}

/*
 * Issue 10, on the statement pages (pbc-statements, docs/statements.md): the
 * hand-worked flex-to-freeze restatement above, as A81002 reads it.
 */
Test(close, statements_show_provisional_and_closed_months)
{
    Fx *f = fx_new("K04");
    fx_publish(f, "flex", "2006-08");
    fx_publish(f, "flex", "2006-09");
    g_autofree char *log = NULL;
    cr_assert_eq(fx_run(f, &log, "--close K04 2006-08 --reason 'signed off at the meeting'"), 0,
                 "%s", log);
    /* The pipeline's publish target renders the statements too. */
    fx_publish(f, "freeze", "2006-09");
    g_autofree char *o8 = fx_out(f, "flex", "2006-08");
    g_autofree char *o9 = fx_out(f, "freeze", "2006-09");
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_statements(f, &log, o8), 0, "%s", log);  /* August again, now closed */
    g_autofree char *s8 = g_build_filename(o8, "statements", NULL);
    g_autofree char *s9 = g_build_filename(o9, "statements", NULL);
    g_autofree char *p8 = read_text(s8, "A81002.html");
    g_autofree char *p9 = read_text(s9, "A81002.html");

    /* Closed: by whom and when, as v_statement_status has it (London time). */
    PGconn *c = pgh_connect();
    g_autofree char *when = pct_value(
        c, "SELECT to_char(closed_at AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY, HH24:MI')"
           " FROM pbc.v_statement_status WHERE pct_code = $1 AND period = '2006-08'"
           " AND practice_code = 'A81002'");
    g_autofree char *who = g_strdup_printf("<strong id=\"closed-by\">%s</strong> on "
                                           "<strong id=\"closed-at\">%s</strong>",
                                           g_getenv("PGUSER"), when);
    cr_expect(strstr(p8, "id=\"period-status\">month closed</span>") != NULL);
    cr_expect(strstr(p8, who) != NULL, "August is closed: %s", who);
    cr_expect(strstr(p8, "Note: signed off at the meeting") != NULL);
    cr_expect(strstr(p9, "id=\"period-status\">provisional</span>") != NULL);
    cr_expect(strstr(p9, "<strong>Provisional</strong>: finance has not closed September 2006") !=
              NULL);
    g_autofree char *i8 = read_text(s8, "index.html");
    g_autofree char *i9 = read_text(s9, "index.html");
    cr_expect(strstr(i8, "id=\"period-status\">month closed") != NULL);
    cr_expect(strstr(i9, "id=\"period-status\">provisional") != NULL);

    /* September: what moved since the flex, S2 +800, S5 +1000, S4 +1000 (all EL). */
    cr_expect(strstr(p9, "id=\"changes-summary\" data-units=\"3\" data-pence=\"280000\"") !=
              NULL);
    cr_expect(strstr(p9, "<strong>3 units</strong> of the practice changed and its spend to date "
                         "moved by <strong><span class=\"money\">+\xc2\xa3" "2,800.00") != NULL);
    g_autofree char *el = g_strdup_printf(
        "<tr id=\"change-EL\"><td>EL</td><td>Elective inpatient admission</td>"
        "<td class=\"num\">1</td><td class=\"num\">3</td><td class=\"num\">2</td>");
    cr_expect(strstr(p9, el) != NULL, "the change by POD");
    cr_expect(strstr(p9, "<td>Re-attributed</td><td>the patient&#39;s registration (Exeter) "
                         "changed</td>") != NULL);
    cr_expect(strstr(p9, "id=\"changes-link\" href=\"A81002_changes.csv\"") != NULL);
    g_autofree char *csv = g_build_filename(s9, "A81002_changes.csv", NULL);
    TCsv *ch = t_csv_read(csv);
    cr_expect_eq(ch->rows->len, 3);
    gint64 sum = 0;
    for (guint i = 0; i < ch->rows->len; i++)
        sum += t_int(g_ptr_array_index(ch->rows, i), "delta_spend_pence");
    cr_expect_eq(sum, 280000);
    t_csv_free(ch);
    g_autofree char *mode = NULL;
    t_sh(&mode, "stat -c %%a '%s'", csv);
    cr_expect_str_eq(mode, "600\n");
    /* A81001's side of S4 (re-attributed away) is in its own file, minus. */
    g_autofree char *csv1 = g_build_filename(s9, "A81001_changes.csv", NULL);
    g_autofree char *s4 = NULL;
    t_sh(&s4, "grep -c ',RA9:S4,.*,-100000,' '%s'", csv1);
    cr_expect_str_eq(s4, "1\n");
    /* The restatement of closed July and August, against August's load. */
    cr_expect(strstr(p9, "id=\"prior-month-summary\" data-pence=\"280000\"") != NULL);
    cr_expect(strstr(p9, "<tr id=\"prior-2006-07\"><td>July 2006</td><td>the August 2006 "
                         "statement (load ") != NULL);
    /* The index: each practice's change since the flex, the PCT's total. */
    cr_expect(strstr(i9, "+\xc2\xa3" "2,800.00") != NULL);
    cr_expect(strstr(i9, RENDER_MINUS_T "\xc2\xa3" "1,995.00") != NULL);
    cr_expect(strstr(i9, "id=\"changes-summary\" data-pence=\"80500\"") != NULL);
    /* August's pages are its first publication: nothing to compare, nothing to adjust. */
    cr_expect(strstr(p8, "This is the first publication of August 2006") != NULL);
    cr_expect(strstr(p8, "id=\"prior-month-summary\" data-pence=\"0\">None") != NULL);
    g_autofree char *empty = read_text(s8, "A81002_changes.csv");
    cr_expect(g_str_has_prefix(empty, "practice_code,from_load_id,to_load_id,change,reason,"));
    cr_expect_eq(strchr(empty, '\n') - empty + 1, (long)strlen(empty), "header only");

    /* The views the statement pages read. */
    g_autofree char *v = pct_value(
        c, "SELECT string_agg(period || ' ' || practice_code || ' ' || status || ' ' ||"
           " units_changed || ' ' || delta_spend_pence || ' ' || prior_month_adjustments || ' ' ||"
           " prior_month_delta_pence, ', ' ORDER BY period, practice_code)"
           " FROM pbc.v_statement_status WHERE pct_code = $1");
    cr_expect_str_eq(v, "2006-08 A81001 CLOSED 0 0 0 0, 2006-08 A81002 CLOSED 0 0 0 0, "
                        "2006-09 A81001 PROVISIONAL 3 -199500 2 -199500, "
                        "2006-09 A81002 PROVISIONAL 3 280000 2 280000");
    PQfinish(c);
    fx_free(f);
}

/* ---- the unit history --------------------------------------------------------------- */

Test(close, history_keeps_current_and_closed_loads_and_prunes_old_ones)
{
    Fx *f = fx_new("K06");
    g_autofree char *out = fx_out(f, "flex", "2006-08");
    fx_publish(f, "flex", "2006-08");        /* L1: closed, re-opened */
    g_autofree char *log = NULL;
    cr_assert_eq(fx_run(f, &log, "--close K06 2006-08"), 0, "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--reopen K06 2006-08 --reason again"), 0, "%s", log);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--out '%s'", out), 0, "%s", log); /* L2 */
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--out '%s'", out), 0, "%s", log); /* L3 */
    PGconn *c = pgh_connect();
    /* Every load's six units are kept. */
    g_autofree char *kept = pct_value(c, "SELECT string_agg(n::text, ' ' ORDER BY load_id) FROM"
                                         " (SELECT load_id, count(*) AS n FROM pbc.load_units"
                                         " WHERE pct_code = $1 GROUP BY 1) x");
    cr_expect_str_eq(kept, "6 6 6");
    /* Age them past a week; publish again keeping a week: L2 and L3 (replaced now) go,
     * L1 was closed once and stays, L4 is current. */
    pgh_exec(c, "UPDATE pbc.loads SET started_at = started_at - interval '10 days'"
                " WHERE pct_code = 'K06'");
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--out '%s' --keep-history 7", out), 0, "%s", log);
    cr_expect(strstr(log, "pruned the unit history of 2 old loads (--keep-history 7)") != NULL,
              "%s", log);
    g_autofree char *after = pct_value(
        c, "SELECT string_agg((SELECT count(*) FROM pbc.load_units u WHERE u.load_id = l.load_id)"
           " || (CASE WHEN l.units_pruned_at IS NULL THEN '' ELSE 'p' END), ' '"
           " ORDER BY l.load_id) FROM pbc.loads l WHERE l.pct_code = $1 AND l.status = 'OK'");
    cr_expect_str_eq(after, "6 0p 0p 6");
    /* A pruned load cannot be compared; the default keeps 45 days, 0 for ever. */
    g_autofree char *l2 = pct_value(c, "SELECT min(load_id) FROM pbc.loads WHERE pct_code = $1"
                                       " AND units_pruned_at IS NOT NULL");
    g_autofree char *d = g_build_filename(f->root, "ch", NULL);
    g_free(g_steal_pointer(&log));
    cr_expect_eq(fx_run(f, &log, "--changes '%s' --from %s --pct K06 --period 2006-08", d, l2), 4,
                 "%s", log);
    g_autofree char *want = g_strdup_printf("pbc-publish: error: the units of load %s were "
                                            "pruned at ", l2);
    cr_expect(strstr(log, want) != NULL, "%s", log);
    pgh_exec(c, "UPDATE pbc.loads SET started_at = started_at - interval '100 days'"
                " WHERE pct_code = 'K06'");
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--out '%s' --keep-history 0", out), 0, "%s", log);
    cr_expect(strstr(log, "pruned") == NULL, "%s", log);
    PQfinish(c);
    fx_free(f);
}

/* ---- the command line ---------------------------------------------------------------- */

/* Character arrays: Criterion copies parameters into each test's process. */
typedef struct {
    char args[96];
    int exit_code;
    char message[112];
} Cli;

static const Cli cli[] = {
    {"--help", 0, "pbc-publish --close 5QA 2006-08"},
    {"--close", 2, "error: --close needs the month: PCT PERIOD (e.g. --close 5QA 2006-08), or "},
    {"--close 5QA", 2, "error: --close needs the month: PCT PERIOD"},
    {"--close 5QA 2006-08 extra", 2, "error: --close needs the month"},
    {"--close 5QA 2006-13", 2, "error: --close: \"5QA 2006-13\" is not a PCT code and a month"},
    {"--close --out /tmp 5QA 2006-08", 2, "error: --close needs the month"},
    {"--close --reopen 5QA 2006-08", 2, "error: --close and --reopen cannot be used together"},
    {"--close 5QA 2006-08 --migrate", 2, "error: --close is used alone"},
    {"--close 5QA 2006-08 --keep-history 3", 2, "error: --keep-history is only used when "
                                                 "publishing"},
    {"--reopen 5QA 2006-08", 2, "error: --reopen needs a reason"},
    {"--reason x --migrate", 2, "error: --reason is only used with --reopen or --close"},
    {"--load 3 --migrate", 2, "error: --load is only used with --close or --reopen"},
    {"--close 5QA 2006-08 --load -1", 2, "error: --load must be a load id"},
    {"--out /tmp --keep-history -1", 2, "error: --keep-history must be a number of days"},
    {"--from 1 --migrate", 2, "error: --from and --to are only used with --changes DIR"},
    {"--changes /tmp/x --out /tmp", 2, "error: --changes is not used with --out"},
    {"--changes /tmp/x", 2, "error: --changes needs the later load: --to LOAD, or --pct and "
                            "--period"},
    {"--changes /tmp/x --pct 5QA --period 9", 2, "error: --period must be a month YYYY-MM"},
    {"5QA 2006-08", 2, "error: too many arguments"},
};

ParameterizedTestParameters(close, command_line)
{
    return cr_make_param_array(Cli, cli, G_N_ELEMENTS(cli));
}

ParameterizedTest(const Cli *t, close, command_line)
{
    g_autofree char *bin = t_bin();
    g_autofree char *log = NULL;
    int rc = t_sh(&log, "'%s/pbc-publish' %s 2>&1", bin, t->args);
    cr_expect_eq(rc, t->exit_code, "pbc-publish %s: exit %d\n%s", t->args, rc, log);
    cr_expect(strstr(log, t->message) != NULL, "pbc-publish %s: expected \"%s\" in:\n%s",
              t->args, t->message, log);
    if (rc == 2)
        cr_expect(strstr(log, "hint: try \"pbc-publish --help\" for more information") != NULL,
                  "%s", log);
}
