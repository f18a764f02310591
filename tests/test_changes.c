/*
 * test_changes.c: the change report between two runs of a month
 * (docs/month_end.md, lib/pub_changes.c, sql/migrations/011_month_end.sql).
 *
 * End to end: the fixture tests/fixtures/close is one PCT's September 2006
 * built twice, as the providers' flex extracts (in_flex, ref_flex) and as the
 * freeze (in_freeze, ref_freeze), which re-sends RA9's spells with
 *   S2  a replacement: discharged 2006-07-10, not 07-03 (LOS 2 -> 9, four
 *       excess days over the elective trim of 5 at £200: 100000 -> 180000);
 *   S3  a deletion (cds_update_type 1) of E3: -100000 for A81001;
 *   S5  a late record: a July spell the flex did not have, +100000 for A81002;
 * and whose reference data carries
 *   S4  a registration change: patient 4857773457 moved from A81001 to A81002
 *       on 2006-07-01, before the August admission (REF registrations.csv);
 *   AT1 a tariff correction: treatment function 100 first attendance £120 ->
 *       £125 (REF tariff_op.csv), 12000 -> 12500.
 * Nothing else moves: S1, AT2 and AT3 are the same in both runs.  Statements:
 * flex A81001 312000, A81002 116000; freeze A81001 112500, A81002 396000.
 *
 * Rule by rule: pbc.unit_changes() over hand-made rows of two loads, one case
 * per change kind and reason.  And the report on request (--changes), its
 * refusals, and row-level security on the reports.
 *
 * The suite starts its own PostgreSQL server (pg_helpers.h); each test uses
 * its own PCT code, written into its copy of the fixture.
 */
#include "pg_helpers.h"
#include "close_fixture.h"

#include <criterion/hooks.h>
#include <criterion/parameterized.h>
#include <string.h>

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

static TCsv *
fx_csv(const char *dir, const char *name)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    return t_csv_read(p);
}

/* The PCT's OK loads, oldest first: ids[0..n). */
static int
ok_loads(PGconn *c, const char *pct, gint64 *ids, int max)
{
    const char *p[] = {pct};
    PGresult *r = pgh_query(c,
                            "SELECT load_id FROM pbc.loads WHERE pct_code = $1 AND status = 'OK'"
                            " ORDER BY load_id",
                            1, p);
    int n = MIN(PQntuples(r), max);
    for (int i = 0; i < n; i++)
        ids[i] = g_ascii_strtoll(PQgetvalue(r, i, 0), NULL, 10);
    PQclear(r);
    return n;
}

static GHashTable *
row_of(TCsv *t, const char *unit)
{
    GHashTable *r = t_find(t, "unit_id", unit);
    cr_assert_not_null(r, "no row for %s", unit);
    return r;
}

static gint64
spend(const char *out, const char *practice)
{
    TCsv *st = fx_csv(out, "statements.csv");
    GHashTable *r = t_find(st, "practice_code", practice);
    cr_assert_not_null(r);
    gint64 v = t_int(r, "spend_ytd");
    t_csv_free(st);
    return v;
}

/* ---- flex to freeze, end to end --------------------------------------------- */

Test(changes, flex_to_freeze_names_each_change_and_its_cause)
{
    Fx *f = fx_new("X01");
    fx_publish(f, "flex", "2006-09");
    fx_publish(f, "freeze", "2006-09");
    g_autofree char *flex = fx_out(f, "flex", "2006-09");
    g_autofree char *freeze = fx_out(f, "freeze", "2006-09");

    /* The hand-worked statements the report has to explain. */
    cr_assert_eq(spend(flex, "A81001"), 312000);
    cr_assert_eq(spend(flex, "A81002"), 116000);
    cr_assert_eq(spend(freeze, "A81001"), 112500);
    cr_assert_eq(spend(freeze, "A81002"), 396000);

    PGconn *c = pgh_connect();
    gint64 ids[4];
    cr_assert_eq(ok_loads(c, "X01", ids, 4), 2);
    TCsv *ch = fx_csv(freeze, "changes.csv");
    cr_assert_eq(ch->rows->len, 5, "five units changed, S1, AT2, AT3 did not");
    for (guint i = 0; i < ch->rows->len; i++) {
        GHashTable *r = g_ptr_array_index(ch->rows, i);
        cr_expect_eq(t_int(r, "from_load_id"), ids[0]);
        cr_expect_eq(t_int(r, "to_load_id"), ids[1]);
    }

    /* S2: replacement, discharge 07-03 -> 07-10: (100000 + 4 x 20000) - 100000. */
    GHashTable *s2 = row_of(ch, "RA9:S2");
    cr_expect_str_eq(t_get(s2, "change"), "REPRICED");
    cr_expect_str_eq(t_get(s2, "reason"), "PROVIDER_REPLACEMENT");
    cr_expect_str_eq(t_get(s2, "detail"), "discharge_date 2006-07-03 -> 2006-07-10");
    cr_expect_eq(t_int(s2, "from_price_pence"), 100000);
    cr_expect_eq(t_int(s2, "to_price_pence"), 180000);
    cr_expect_eq(t_int(s2, "delta_practice_pence"), 80000);
    cr_expect_str_eq(t_get(s2, "source_file"), "apc_2_freeze.csv");
    cr_expect_eq(t_int(s2, "source_line"), 2);

    /* S3: the provider's deletion of E3, quoted with its file and line. */
    GHashTable *s3 = row_of(ch, "RA9:S3");
    cr_expect_str_eq(t_get(s3, "change"), "REMOVED");
    cr_expect_str_eq(t_get(s3, "reason"), "PROVIDER_DELETION");
    cr_expect_str_eq(t_get(s3, "detail"), "deletion of E3 in apc_2_freeze.csv line 3");
    cr_expect_str_eq(t_get(s3, "from_practice_code"), "A81001");
    cr_expect_str_eq(t_get(s3, "to_practice_code"), "");
    cr_expect_eq(t_int(s3, "delta_practice_pence"), -100000);
    cr_expect_str_eq(t_get(s3, "nhs_number"), "9434765919");

    /* S5: a late record. */
    GHashTable *s5 = row_of(ch, "RA9:S5");
    cr_expect_str_eq(t_get(s5, "change"), "ADDED");
    cr_expect_str_eq(t_get(s5, "reason"), "LATE_RECORD");
    cr_expect_str_eq(t_get(s5, "detail"), "first in apc_2_freeze.csv line 4");
    cr_expect_str_eq(t_get(s5, "to_practice_code"), "A81002");
    cr_expect_str_eq(t_get(s5, "to_activity_month"), "2006-07");
    cr_expect_eq(t_int(s5, "delta_practice_pence"), 100000);

    /* S4: same record, same price, another practice through Exeter. */
    GHashTable *s4 = row_of(ch, "RA9:S4");
    cr_expect_str_eq(t_get(s4, "change"), "REATTRIBUTED");
    cr_expect_str_eq(t_get(s4, "reason"), "REGISTRATION_CHANGE");
    cr_expect_str_eq(t_get(s4, "from_practice_code"), "A81001");
    cr_expect_str_eq(t_get(s4, "to_practice_code"), "A81002");
    cr_expect(strstr(t_get(s4, "detail"), "exeter_practice_code A81001 -> A81002") != NULL,
              "%s", t_get(s4, "detail"));
    cr_expect_eq(t_int(s4, "delta_price_pence"), 0);

    /* AT1: the same attendance at the corrected tariff, tariff_op.csv named. */
    GHashTable *at1 = row_of(ch, "RA9:AT1");
    cr_expect_str_eq(t_get(at1, "change"), "REPRICED");
    cr_expect_str_eq(t_get(at1, "reason"), "TARIFF_OR_REFERENCE_CHANGE");
    cr_expect_str_eq(t_get(at1, "detail"), "base_pence 12000 -> 12500; price_pence 12000 -> "
                                           "12500; reference files changed: tariff_op.csv");
    cr_expect_eq(t_int(at1, "delta_practice_pence"), 500);
    t_csv_free(ch);

    /* By practice and POD: A81001 EL -2 units -200000, OPFA +500; A81002 EL +2 +280000. */
    TCsv *bp = fx_csv(freeze, "changes_by_practice.csv");
    cr_assert_eq(bp->rows->len, 3, "A81002's OPFU and OPFA did not move");
    static const struct {
        const char *practice, *pod;
        gint64 from_units, to_units, delta_pence;
    } want[] = {
        {"A81001", "EL", 3, 1, -200000},
        {"A81001", "OPFA", 1, 1, 500},
        {"A81002", "EL", 1, 3, 280000},
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        GHashTable *r = g_ptr_array_index(bp->rows, i);
        cr_expect_str_eq(t_get(r, "practice_code"), want[i].practice);
        cr_expect_str_eq(t_get(r, "pod"), want[i].pod);
        cr_expect_eq(t_int(r, "from_units"), want[i].from_units);
        cr_expect_eq(t_int(r, "to_units"), want[i].to_units);
        cr_expect_eq(t_int(r, "delta_units"), want[i].to_units - want[i].from_units);
        cr_expect_eq(t_int(r, "delta_practice_pence"), want[i].delta_pence);
        cr_expect_eq(t_int(r, "delta_cost_pence"), want[i].delta_pence);
    }
    /* Summed over its PODs, a practice's change is the change of its spend to date. */
    cr_expect_eq(-200000 + 500, spend(freeze, "A81001") - spend(flex, "A81001"));
    cr_expect_eq(280000, spend(freeze, "A81002") - spend(flex, "A81002"));
    t_csv_free(bp);

    /* Loaded too: the report's header row and its units. */
    const char *p[] = {"X01"};
    PGresult *r = pgh_query(c,
                            "SELECT from_load_id, to_load_id, units_added, units_removed,"
                            " units_repriced, units_reattributed, units_redated,"
                            " delta_practice_pence,"
                            " (SELECT count(*) FROM pbc.changes x WHERE x.report_id = r.report_id),"
                            " (SELECT count(*) FROM pbc.changes_by_practice x"
                            "   WHERE x.report_id = r.report_id)"
                            " FROM pbc.change_reports r WHERE pct_code = $1 AND from_load_id"
                            " IS NOT NULL",
                            1, p);
    cr_assert_eq(PQntuples(r), 1);
    cr_expect_eq(g_ascii_strtoll(PQgetvalue(r, 0, 0), NULL, 10), ids[0]);
    cr_expect_eq(g_ascii_strtoll(PQgetvalue(r, 0, 1), NULL, 10), ids[1]);
    cr_expect_str_eq(PQgetvalue(r, 0, 2), "1");
    cr_expect_str_eq(PQgetvalue(r, 0, 3), "1");
    cr_expect_str_eq(PQgetvalue(r, 0, 4), "2");
    cr_expect_str_eq(PQgetvalue(r, 0, 5), "1");
    cr_expect_str_eq(PQgetvalue(r, 0, 6), "0");
    cr_expect_str_eq(PQgetvalue(r, 0, 7), "80500");
    cr_expect_str_eq(PQgetvalue(r, 0, 8), "5");
    cr_expect_str_eq(PQgetvalue(r, 0, 9), "3");
    PQclear(r);
    /* changes.csv lists NHS numbers: owner-only, like priced_activity.csv. */
    g_autofree char *mode = NULL;
    t_sh(&mode, "stat -c %%a '%s/changes.csv' '%s/changes_by_practice.csv' | tr '\\n' ' '",
         freeze, freeze);
    cr_expect_str_eq(mode, "600 644 ");
    PQfinish(c);
    fx_free(f);
}

Test(changes, a_first_publication_and_an_unchanged_rerun_report_nothing)
{
    Fx *f = fx_new("X02");
    fx_publish(f, "flex", "2006-09");
    g_autofree char *flex = fx_out(f, "flex", "2006-09");
    TCsv *ch = fx_csv(flex, "changes.csv");
    cr_expect_eq(ch->rows->len, 0, "no earlier run: nothing to compare");
    cr_expect(g_strv_contains((const char *const *)ch->header, "reason"));
    t_csv_free(ch);
    TCsv *bp = fx_csv(flex, "changes_by_practice.csv");
    cr_expect_eq(bp->rows->len, 0);
    t_csv_free(bp);
    PGconn *c = pgh_connect();
    g_autofree char *from = pgh_value(
        c, "SELECT coalesce(from_load_id::text, 'none') FROM pbc.change_reports WHERE pct_code = $1",
        "X02");
    cr_expect_str_eq(from, "none");

    /* The same run again: a report against the first, with no units in it. */
    g_autofree char *log = NULL;
    cr_assert_eq(fx_run(f, &log, "--out '%s'", flex), 0, "%s", log);
    cr_expect(strstr(log, "0 units (0 added, 0 removed, 0 re-priced, 0 re-attributed, 0 "
                          "re-dated), +0 pence") != NULL,
              "%s", log);
    ch = fx_csv(flex, "changes.csv");
    cr_expect_eq(ch->rows->len, 0);
    t_csv_free(ch);
    g_autofree char *n = pgh_value(
        c, "SELECT count(*) FROM pbc.change_reports WHERE pct_code = $1 AND from_load_id IS NOT NULL",
        "X02");
    cr_expect_str_eq(n, "1");
    PQfinish(c);
    fx_free(f);
}

/* ---- on request ---------------------------------------------------------------- */

Test(changes, on_request_between_any_two_loads)
{
    Fx *f = fx_new("X03");
    fx_publish(f, "flex", "2006-09");
    fx_publish(f, "freeze", "2006-09");
    g_autofree char *freeze = fx_out(f, "freeze", "2006-09");
    PGconn *c = pgh_connect();
    gint64 ids[2];
    cr_assert_eq(ok_loads(c, "X03", ids, 2), 2);

    /* Default: the month's current publication against the load it replaced, the
     * same report the publish wrote. */
    g_autofree char *d1 = g_build_filename(f->root, "req1", NULL);
    g_autofree char *log = NULL;
    cr_assert_eq(fx_run(f, &log, "--changes '%s' --pct X03 --period 2006-09", d1), 0, "%s", log);
    g_autofree char *a = NULL, *b = NULL;
    t_sh(&a, "cat '%s/changes.csv' '%s/changes_by_practice.csv'", freeze, freeze);
    t_sh(&b, "cat '%s/changes.csv' '%s/changes_by_practice.csv'", d1, d1);
    cr_expect_str_eq(b, a);

    /* By run id (UUID) as well as load id. */
    g_autofree char *id0 = g_strdup_printf("%" G_GINT64_FORMAT, ids[0]);
    g_autofree char *run1 = NULL;
    {
        g_autofree char *id1 = g_strdup_printf("%" G_GINT64_FORMAT, ids[1]);
        run1 = pgh_value(c, "SELECT run_id::text FROM pbc.loads WHERE load_id = $1::bigint", id1);
    }
    g_autofree char *d2 = g_build_filename(f->root, "req2", NULL);
    g_free(g_steal_pointer(&log));
    cr_assert_eq(fx_run(f, &log, "--changes '%s' --from %s --to %s", d2, id0, run1), 0, "%s",
                 log);
    g_autofree char *c2 = NULL;
    t_sh(&c2, "cat '%s/changes.csv' '%s/changes_by_practice.csv'", d2, d2);
    cr_expect_str_eq(c2, a);

    /* Backwards, freeze to flex: S3 comes back (a late record, for all the report
     * can tell), S5 goes, and the extract it came from is not among the flex's. */
    g_autofree char *d3 = g_build_filename(f->root, "req3", NULL);
    g_free(g_steal_pointer(&log));
    g_autofree char *id1 = g_strdup_printf("%" G_GINT64_FORMAT, ids[1]);
    cr_assert_eq(fx_run(f, &log, "--changes '%s' --from %s --to %s", d3, id1, id0), 0, "%s",
                 log);
    TCsv *ch = fx_csv(d3, "changes.csv");
    cr_expect_eq(ch->rows->len, 5);
    GHashTable *s5 = row_of(ch, "RA9:S5");
    cr_expect_str_eq(t_get(s5, "change"), "REMOVED");
    cr_expect_str_eq(t_get(s5, "reason"), "NOT_RESUBMITTED");
    cr_expect_str_eq(t_get(s5, "detail"), "apc_2_freeze.csv was not among the later run's "
                                          "extracts");
    GHashTable *s3 = row_of(ch, "RA9:S3");
    cr_expect_str_eq(t_get(s3, "change"), "ADDED");
    cr_expect_str_eq(t_get(s3, "reason"), "LATE_RECORD");
    GHashTable *s2 = row_of(ch, "RA9:S2");
    cr_expect_eq(t_int(s2, "delta_practice_pence"), -80000);
    t_csv_free(ch);
    PQfinish(c);
    fx_free(f);
}

/* Loads of different months of a year: only the months both cover are compared. */
Test(changes, loads_of_two_months_compare_their_common_months)
{
    Fx *f = fx_new("X04");
    fx_publish(f, "flex", "2006-08");
    fx_publish(f, "freeze", "2006-09");
    PGconn *c = pgh_connect();
    gint64 ids[2];
    cr_assert_eq(ok_loads(c, "X04", ids, 2), 2);
    g_autofree char *d = g_build_filename(f->root, "req", NULL);
    g_autofree char *log = NULL;
    cr_assert_eq(fx_run(f, &log, "--changes '%s' --from %" G_GINT64_FORMAT " --to %"
                                 G_GINT64_FORMAT, d, ids[0], ids[1]),
                 0, "%s", log);
    cr_expect(strstr(log, "comparing the months up to 2006-08") != NULL, "%s", log);
    TCsv *ch = fx_csv(d, "changes.csv");
    /* The same five: AT3 (September) is outside the 2006-08 run, so not "added". */
    cr_expect_eq(ch->rows->len, 5);
    cr_expect_null(t_find(ch, "unit_id", "RA9:AT3"));
    t_csv_free(ch);
    PQfinish(c);
    fx_free(f);
}

Test(changes, loads_that_cannot_be_compared_are_refused)
{
    Fx *f = fx_new("X05");
    fx_publish(f, "flex", "2006-09");
    Fx *g = fx_new("X06");
    fx_publish(g, "flex", "2006-09");
    PGconn *c = pgh_connect();
    gint64 a[1], b[1];
    cr_assert_eq(ok_loads(c, "X05", a, 1), 1);
    cr_assert_eq(ok_loads(c, "X06", b, 1), 1);
    g_autofree char *d = g_build_filename(f->root, "req", NULL);
    static const struct {
        const char *args;   /* after --changes DIR */
        const char *message;
    } cases[] = {
        {"--from 999999999 --to %1$s", "pbc-publish: error: no load 999999999\n"},
        {"--from %2$s --to %1$s", "pbc-publish: error: cannot compare load "},
        {"--pct X05 --period 2006-09", "is the first publication of PCT X05 for 2006-09: there "
                                       "is no earlier run to compare it with"},
        {"--pct X05 --period 2006-10", "pbc-publish: error: nothing is published for PCT X05 "
                                       "for 2006-10"},
        {"--to not-a-load", "pbc-publish: error: \"not-a-load\" is neither a load id nor a run "
                            "id"},
    };
    g_autofree char *la = g_strdup_printf("%" G_GINT64_FORMAT, a[0]);
    g_autofree char *lb = g_strdup_printf("%" G_GINT64_FORMAT, b[0]);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *args = NULL;
        /* %1$s is X05's load, %2$s X06's. */
        g_autofree char *fmt = g_strdup(cases[i].args);
        GString *sa = g_string_new(fmt);
        g_string_replace(sa, "%1$s", la, 0);
        g_string_replace(sa, "%2$s", lb, 0);
        args = g_string_free(sa, FALSE);
        g_autofree char *log = NULL;
        int rc = fx_run(f, &log, "--changes '%s' %s", d, args);
        cr_expect_eq(rc, 4, "%s: exit %d\n%s", args, rc, log);
        cr_expect(strstr(log, cases[i].message) != NULL, "%s:\n%s", args, log);
    }
    /* A failed attempt published nothing to compare. */
    pgh_exec(c, "INSERT INTO pbc.loads (run_id, pct_code, period, out_dir, status, started_at)"
                " VALUES (gen_random_uuid(), 'X05', '2006-09', '/nowhere', 'FAILED', now())");
    g_autofree char *failed = pgh_value(
        c, "SELECT max(load_id) FROM pbc.loads WHERE pct_code = $1 AND status = 'FAILED'", "X05");
    g_autofree char *log = NULL;
    cr_expect_eq(fx_run(f, &log, "--changes '%s' --from %s --to %s", d, failed, la), 4);
    g_autofree char *want = g_strdup_printf("pbc-publish: error: load %s failed: it published "
                                            "nothing", failed);
    cr_expect(strstr(log, want) != NULL, "%s", log);
    PQfinish(c);
    fx_free(f);
    fx_free(g);
}

/* ---- the rules, one by one, on hand-made rows --------------------------------- */

/* Character arrays, not pointers: Criterion copies parameters into each test's process. */
typedef struct {
    char name[96];
    char from_set[256];    /* SQL SET clause on the earlier load's unit, "DELETE", or "" */
    char to_set[256];      /* the same for the later load's unit */
    gboolean deleted_from; /* a deletion of E1 stood in the earlier load */
    gboolean deleted_to;   /* ... and in the later one */
    char to_input[32];     /* the extract the later run read */
    char changed_ref[32];  /* a reference file whose content differs, or "" */
    char change[16];       /* expected; "": no row */
    char reason[32];
    char detail[128];      /* a part of the expected detail */
} Rule;

static const Rule rules[] = {
    {.name = "a unit only in the later run is a late record",
     .from_set = "DELETE", .to_input = "apc_1.csv",
     .change = "ADDED", .reason = "LATE_RECORD", .detail = "first in apc_1.csv line 2"},
    {.name = "a unit gone while its extract was still read was replaced out of the range",
     .to_set = "DELETE", .to_input = "apc_1.csv",
     .change = "REMOVED", .reason = "PROVIDER_REPLACEMENT",
     .detail = "a later version took the unit out of the run's months"},
    {.name = "a unit gone with its extract was not re-submitted",
     .to_set = "DELETE", .to_input = "apc_2.csv",
     .change = "REMOVED", .reason = "NOT_RESUBMITTED",
     .detail = "apc_1.csv was not among the later run's extracts"},
    {.name = "a unit gone by a provider deletion (R-I3)",
     .to_set = "DELETE", .deleted_to = TRUE, .to_input = "apc_1.csv",
     .change = "REMOVED", .reason = "PROVIDER_DELETION", .detail = "deletion of E1 in del.csv line 7"},
    {.name = "a spell that lost an episode to a deletion",
     .from_set = "episodes = 2, discharge_date = '2006-05-12', charge_date = '2006-05-12',"
                 " los = 11, excess_bed_days = 6, excess_pence = 120000, price_pence = 220000,"
                 " practice_pence = 220000",
     .deleted_to = TRUE, .to_input = "apc_1.csv",
     .change = "REPRICED", .reason = "PROVIDER_DELETION", .detail = "episodes 2 -> 1"},
    {.name = "a deletion that stood in both runs explains nothing new",
     .to_set = "base_pence = 110000, price_pence = 110000, practice_pence = 110000",
     .deleted_from = TRUE, .deleted_to = TRUE, .to_input = "apc_1.csv",
     .changed_ref = "tariff_apc.csv",
     .change = "REPRICED", .reason = "TARIFF_OR_REFERENCE_CHANGE",
     .detail = "reference files changed: tariff_apc.csv"},
    {.name = "a record the provider replaced",
     .to_set = "hrg = 'H02', base_pence = 90000, price_pence = 90000, practice_pence = 90000",
     .to_input = "apc_1.csv",
     .change = "REPRICED", .reason = "PROVIDER_REPLACEMENT", .detail = "hrg H01 -> H02"},
    {.name = "the same record at a corrected tariff",
     .to_set = "base_pence = 110000, price_pence = 110000, practice_pence = 110000",
     .to_input = "apc_1.csv", .changed_ref = "tariff_apc.csv",
     .change = "REPRICED", .reason = "TARIFF_OR_REFERENCE_CHANGE",
     .detail = "base_pence 100000 -> 110000; price_pence 100000 -> 110000; reference files "
               "changed: tariff_apc.csv"},
    {.name = "a price change with no reference file changed says so",
     .to_set = "mff = 1.05, price_pence = 105000, practice_pence = 105000",
     .to_input = "apc_1.csv",
     .change = "REPRICED", .reason = "TARIFF_OR_REFERENCE_CHANGE",
     .detail = "mff 1.000000 -> 1.050000; price_pence 100000 -> 105000; reference files "
               "changed: none"},
    {.name = "a registration change moves the unit (R-A1)",
     .to_set = "practice_code = 'A81002', exeter_practice_code = 'A81002',"
               " original_practice_code = 'A81002'",
     .to_input = "apc_1.csv", .changed_ref = "registrations.csv",
     .change = "REATTRIBUTED", .reason = "REGISTRATION_CHANGE",
     .detail = "practice_code A81001 -> A81002; exeter_practice_code A81001 -> A81002"},
    {.name = "Exeter lost, the hospital's code used (R-A1 -> R-A3)",
     .to_set = "practice_code = 'A81002', attribution_method = 'CDS',"
               " exeter_practice_code = NULL, exeter_reason = 'NOT_REGISTERED',"
               " cds_practice_code = 'A81002'",
     .to_input = "apc_1.csv",
     .change = "REATTRIBUTED", .reason = "PROVIDER_REPLACEMENT",
     .detail = "gp_practice_code A81001 -> A81002"},
    {.name = "a practice closed into its successor (R-A5): practices.csv",
     .to_set = "practice_code = 'A81002'", .to_input = "apc_1.csv",
     .changed_ref = "practices.csv",
     .change = "REATTRIBUTED", .reason = "TARIFF_OR_REFERENCE_CHANGE",
     .detail = "practice_code A81001 -> A81002; reference files changed: practices.csv"},
    {.name = "a practice moved to another PCT: out of area (R-A6)",
     .to_set = "budget_scope = 'OUT_OF_AREA', practice_pence = 0, practice_pct_code = '5QB'",
     .to_input = "apc_1.csv", .changed_ref = "practices.csv",
     .change = "REATTRIBUTED", .reason = "TARIFF_OR_REFERENCE_CHANGE",
     .detail = "budget_scope PRACTICE -> OUT_OF_AREA"},
    {.name = "newly excluded activity is held by the PCT (R-P8)",
     .to_set = "budget_scope = 'PCT_HELD', practice_pence = 0", .to_input = "apc_1.csv",
     .changed_ref = "exclusions.csv",
     .change = "REPRICED", .reason = "TARIFF_OR_REFERENCE_CHANGE",
     .detail = "budget_scope PRACTICE -> PCT_HELD; reference files changed: exclusions.csv"},
    {.name = "the same price split otherwise against the high-cost threshold (R-G2)",
     .to_set = "practice_pence = 60000, risk_pool_pence = 40000", .to_input = "apc_1.csv",
     .change = "REPRICED", .reason = "HIGH_COST_SPLIT",
     .detail = "practice_pence 100000 -> 60000; risk_pool_pence 0 -> 40000; price unchanged"},
    {.name = "a charge date moved to another month, same price",
     .to_set = "discharge_date = '2006-06-02', charge_date = '2006-06-02',"
               " admission_date = '2006-05-31', attribution_date = '2006-05-31',"
               " activity_month = '2006-06'",
     .to_input = "apc_1.csv",
     .change = "REDATED", .reason = "PROVIDER_REPLACEMENT",
     .detail = "admission_date 2006-05-01 -> 2006-05-31; discharge_date 2006-05-03 -> "
               "2006-06-02"},
    {.name = "a change that moves no money, practice or month is not listed",
     .to_set = "commissioner_code = '5QB', source_file = 'apc_9.csv'", .to_input = "apc_1.csv",
     .change = ""},
};

ParameterizedTestParameters(changes, rules)
{
    return cr_make_param_array(Rule, rules, G_N_ELEMENTS(rules));
}

/* A side of a rule: its unit row changed by set (or deleted). */
static void
apply_side(PGconn *c, const char *load, const char *set)
{
    if (*set == '\0')
        return;
    const char *p[] = {load};
    g_autofree char *sql =
        strcmp(set, "DELETE") == 0
            ? g_strdup("DELETE FROM pbc.load_units WHERE load_id = $1::bigint")
            : g_strdup_printf("UPDATE pbc.load_units SET %s WHERE load_id = $1::bigint", set);
    PQclear(pgh_query(c, sql, 1, p));
}

static void
add_deletion(PGconn *c, const char *load)
{
    const char *p[] = {load};
    PQclear(pgh_query(c,
                      "INSERT INTO pbc.load_deletions (load_id, pct_code, period, file, line,"
                      " dataset, cds_unique_id, unit_id)"
                      " VALUES ($1::bigint, 'U01', '2006-09', 'del.csv', 7, 'APC', 'E1', 'RA9:U1')",
                      1, p));
}

/* Every change kind and reason of pbc.unit_changes (docs/month_end.md). */
ParameterizedTest(const Rule *rule, changes, rules)
{
    /* The schema, when no other test has published yet. */
    g_autofree char *bin = t_bin();
    g_autofree char *mlog = NULL;
    cr_assert_eq(t_sh(&mlog, "'%s/pbc-publish' -q --migrate 2>&1", bin), 0, "%s", mlog);
    PGconn *c = pgh_connect();
    /* Two loads of PCT U01, September 2006, and one EL spell in each. */
    char load[2][32];
    for (int i = 0; i < 2; i++) {
        g_autofree char *id = pgh_value(
            c, "INSERT INTO pbc.loads (run_id, pct_code, period, fin_year, out_dir, status,"
               " started_at) VALUES (gen_random_uuid(), $1, '2006-09', '2006/07', '/x', 'OK',"
               " now()) RETURNING load_id",
            "U01");
        g_strlcpy(load[i], id, sizeof load[i]);
    }
    const char *both[] = {load[0], load[1]};
    PQclear(pgh_query(
        c,
        "INSERT INTO pbc.load_units (load_id, pct_code, period, unit_id, dataset, pod,"
        " provider_code, nhs_number, practice_code, attribution_method, cds_practice_code,"
        " attribution_date, charge_date, activity_month, fin_year, hrg, los, excess_bed_days,"
        " base_pence, excess_pence, sse_applied, mff, price_pence, price_method, budget_scope,"
        " practice_pence, risk_pool_pence, original_practice_code, exeter_practice_code,"
        " practice_pct_code, admission_method, patient_classification, admission_date,"
        " discharge_date, date_of_birth, cds_unique_id, episodes, source_file, source_line)"
        " SELECT l, 'U01', '2006-09', 'RA9:U1', 'APC', 'EL', 'RA9', '9434765919', 'A81001',"
        " 'EXETER', 'A81001', '2006-05-01', '2006-05-03', '2006-05', '2006/07', 'H01', 2, 0,"
        " 100000, 0, false, 1.0, 100000, 'TARIFF', 'PRACTICE', 100000, 0, 'A81001', 'A81001',"
        " 'U01', '11', '1', '2006-05-01', '2006-05-03', '1950-01-01', 'E1', 1, 'apc_1.csv', 2"
        " FROM unnest(ARRAY[$1::bigint, $2::bigint]) AS l",
        2, both));
    /* The files each run read: the earlier apc_1.csv, the later the rule's. */
    const char *files[] = {load[0], load[1], rule->to_input, rule->changed_ref};
    PQclear(pgh_query(
        c,
        "INSERT INTO pbc.load_files (load_id, kind, path, size_bytes, sha256)"
        " SELECT $1::bigint, 'input', '/in/apc_1.csv', 1, repeat('a', 64)"
        " UNION ALL SELECT $2::bigint, 'input', '/in/' || $3, 1, repeat('a', 64)"
        " UNION ALL SELECT l, 'reference', '/ref/' || f, 1,"
        "   CASE WHEN l = $2::bigint AND f = $4 THEN repeat('b', 64) ELSE repeat('a', 64) END"
        "   FROM unnest(ARRAY[$1::bigint, $2::bigint]) AS l,"
        "        unnest(ARRAY['practices.csv', 'registrations.csv', 'tariff_apc.csv',"
        "                     'exclusions.csv', 'pbc.conf']) AS f",
        4, files));
    apply_side(c, load[0], rule->from_set);
    apply_side(c, load[1], rule->to_set);
    if (rule->deleted_from)
        add_deletion(c, load[0]);
    if (rule->deleted_to)
        add_deletion(c, load[1]);

    PGresult *r = pgh_query(c, "SELECT change, reason, detail, delta_price_pence"
                               " FROM pbc.unit_changes($1::bigint, $2::bigint)",
                            2, both);
    if (rule->change[0] == '\0') {
        cr_expect_eq(PQntuples(r), 0, "%s: listed as %s", rule->name,
                     PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    } else {
        cr_assert_eq(PQntuples(r), 1, "%s: %d rows", rule->name, PQntuples(r));
        cr_expect_str_eq(PQgetvalue(r, 0, 0), rule->change, "%s", rule->name);
        cr_expect_str_eq(PQgetvalue(r, 0, 1), rule->reason, "%s", rule->name);
        cr_expect(strstr(PQgetvalue(r, 0, 2), rule->detail) != NULL, "%s: detail \"%s\"",
                  rule->name, PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    PQfinish(c);
}

/* ---- row-level security on the reports ---------------------------------------- */

/* Rows of sql visible to role (SET ROLE), as a number. */
static long
count_as(PGconn *c, const char *role, const char *sql, const char *pct)
{
    pgh_exec(c, "BEGIN");
    g_autofree char *set = g_strdup_printf("SET LOCAL ROLE %s", role);
    pgh_exec(c, set);
    g_autofree char *v = pgh_value(c, sql, pct);
    pgh_exec(c, "ROLLBACK");
    return atol(v);
}

Test(changes, practices_see_only_their_own_changes)
{
    Fx *f = fx_new("X07");
    g_autofree char *ref = g_build_filename(f->root, "ref_freeze", NULL);
    g_autofree char *log = NULL;
    cr_assert_eq(fx_run(f, &log, "--create-roles --ref '%s'", ref), 0, "%s", log);
    fx_publish(f, "flex", "2006-09");
    fx_publish(f, "freeze", "2006-09");
    PGconn *c = pgh_connect();
    static const struct {
        const char *sql;
        long a81001, a81002, finance;
    } seen[] = {
        /* S3, AT1 are A81001's; S2, S5 A81002's; S4 moved from one to the other: both. */
        {"SELECT count(*) FROM pbc.changes WHERE pct_code = $1", 3, 3, 5},
        {"SELECT count(*) FROM pbc.changes_by_practice WHERE pct_code = $1", 2, 1, 3},
        {"SELECT count(*) FROM pbc.v_statement_changes WHERE pct_code = $1", 3, 3, 6},
        {"SELECT count(*) FROM pbc.v_statement_changes_pod WHERE pct_code = $1", 2, 1, 3},
        /* Patient-level history: the practice's own units of both loads. */
        {"SELECT count(*) FROM pbc.load_units WHERE pct_code = $1", 6, 8, 14},
        /* The month's status is everyone's. */
        {"SELECT count(*) FROM pbc.v_period_status WHERE pct_code = $1", 1, 1, 1},
        {"SELECT count(*) FROM pbc.v_statement_status WHERE pct_code = $1", 1, 1, 2},
    };
    for (guint i = 0; i < G_N_ELEMENTS(seen); i++) {
        cr_expect_eq(count_as(c, "pbc_practice_a81001", seen[i].sql, "X07"), seen[i].a81001,
                     "A81001: %s", seen[i].sql);
        cr_expect_eq(count_as(c, "pbc_practice_a81002", seen[i].sql, "X07"), seen[i].a81002,
                     "A81002: %s", seen[i].sql);
        cr_expect_eq(count_as(c, "pbc_finance", seen[i].sql, "X07"), seen[i].finance,
                     "finance: %s", seen[i].sql);
        cr_expect_eq(count_as(c, "pbc_consortium_c1", seen[i].sql, "X07"), seen[i].finance,
                     "C1 (both practices): %s", seen[i].sql);
    }
    /* A practice sees its own statement's change in spend: the re-attributed S4 as -100000. */
    g_autofree char *mine = NULL;
    {
        pgh_exec(c, "BEGIN");
        pgh_exec(c, "SET LOCAL ROLE pbc_practice_a81001");
        mine = pgh_value(c,
                         "SELECT sum(delta_spend_pence) FROM pbc.v_statement_changes"
                         " WHERE pct_code = $1",
                         "X07");
        pgh_exec(c, "ROLLBACK");
    }
    cr_expect_str_eq(mine, "-199500", "S3 -100000, S4 -100000, AT1 +500");
    /* The load audit behind the reports is the PCT's: not the practices'. */
    pgh_exec(c, "BEGIN");
    pgh_exec(c, "SET LOCAL ROLE pbc_practice_a81001");
    PGresult *r = PQexec(c, "SELECT count(*) FROM pbc.load_deletions");
    cr_expect_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
    PQclear(r);
    pgh_exec(c, "ROLLBACK");
    PQfinish(c);
    fx_free(f);
}
