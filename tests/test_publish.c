/*
 * test_publish.c: pbc-publish against a real PostgreSQL server (SPEC §7.2,
 * docs/database.md): the load and its audit, re-loading a period, a
 * corrected run, concurrent publishes of one PCT, failures injected part-way
 * (a malformed later file, a row the server refuses, a tampered file) that
 * must leave the database exactly as it was, the directory checks, the
 * command line and its exit codes.
 *
 * The suite starts its own server in a temporary directory (pg_helpers.h)
 * and stops it at the end; each test uses its own PCT code.
 */
#include "publish_fixture.h"

#include <criterion/hooks.h>
#include <criterion/parameterized.h>
#include <unistd.h>

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

/* Fact tables and the number of rows the fixture's files hold. */
static const struct {
    const char *table;
    int rows;
} fixture_rows[] = {
    {"priced_activity", 7},      {"practice_month", 4},       {"statements", 2},
    {"statement_breakdown", 5},  {"budgets", 2},              {"benchmarks", 14},
    {"data_quality", 16},        {"attribution_audit", 5},    {"attribution_mismatch", 0},
    {"out_of_area", 1},          {"rejects", 1},              {"file_reconciliation", 2},
    {"reconciliation", 17},      {"pricing_audit", 6},        {"unpriced", 0},
    {"top_hrgs", 1},
};

static int
count_rows(PGconn *c, const char *table, const char *pct)
{
    g_autofree char *sql =
        g_strdup_printf("SELECT count(*) FROM pbc.%s WHERE pct_code = $1", table);
    g_autofree char *v = pgh_value(c, sql, pct);
    return atoi(v);
}

/*
 * Everything the database holds for a PCT: each fact table's rows (with
 * their load ids), the OK loads and their audit rows.  Equal snapshots mean
 * nothing changed.
 */
static char *
snapshot(PGconn *c, const char *pct)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(fixture_rows); i++) {
        g_autofree char *sql = g_strdup_printf(
            "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
            " FROM pbc.%s t WHERE pct_code = $1",
            fixture_rows[i].table);
        g_autofree char *v = pgh_value(c, sql, pct);
        g_string_append_printf(s, "%s=%s\n", fixture_rows[i].table, v);
    }
    g_autofree char *loads = pgh_value(
        c,
        "SELECT string_agg(l.load_id || '/' || coalesce(l.replaced_by, 0) || '/' ||"
        " (SELECT count(*) FROM pbc.load_files f WHERE f.load_id = l.load_id) || '/' ||"
        " (SELECT count(*) FROM pbc.load_tables t WHERE t.load_id = l.load_id) || '/' ||"
        " (SELECT count(*) FROM pbc.load_checks k WHERE k.load_id = l.load_id), ',' ORDER BY"
        " l.load_id) FROM pbc.loads l WHERE l.pct_code = $1 AND l.status = 'OK'",
        pct);
    g_string_append_printf(s, "loads=%s\n", loads);
    return g_string_free(s, FALSE);
}

/* ---- the load ------------------------------------------------------------ */

Test(publish, loads_every_file_and_records_the_load)
{
    Fix *f = fix_new("T01");
    g_autofree char *log = NULL;
    cr_assert_eq(run_publish(&log, "--out '%s'", f->out), 0, "%s", log);
    PGconn *c = pgh_connect();
    for (guint i = 0; i < G_N_ELEMENTS(fixture_rows); i++)
        cr_expect_eq(count_rows(c, fixture_rows[i].table, "T01"), fixture_rows[i].rows,
                     "pbc.%s", fixture_rows[i].table);

    /* Values arrive intact: money, a quoted name with a comma, a raw record. */
    g_autofree char *spend = pgh_value(
        c, "SELECT spend_ytd FROM pbc.statements WHERE pct_code = $1 AND practice_code = 'A81001'",
        "T01");
    cr_expect_str_eq(spend, "200000");
    g_autofree char *name = pgh_value(
        c, "SELECT practice_name FROM pbc.statements WHERE pct_code = $1 AND practice_code = "
           "'A81001'",
        "T01");
    cr_expect_str_eq(name, "Church Street, Surgery");
    g_autofree char *raw = pgh_value(c, "SELECT raw_record FROM pbc.rejects WHERE pct_code = $1",
                                     "T01");
    cr_expect_str_eq(raw, "RA9,E9,\"quoted\",2006-13-01\n second line\\with\ttab");
    g_autofree char *mff = pgh_value(
        c, "SELECT mff::text FROM pbc.priced_activity WHERE pct_code = $1 AND unit_id = 'RA9:S1'",
        "T01");
    cr_expect_str_eq(mff, "1.043210");

    /* The load audit: who, what, and the files with their SHA-256. */
    g_autofree char *who = pgh_value(
        c, "SELECT status || ' ' || os_user || ' ' || db_session_user || ' ' || period ||"
           " ' ' || (duration_ms >= 0) FROM pbc.loads WHERE pct_code = $1",
        "T01");
    g_autofree char *expect_who = g_strdup_printf("OK %s %s 2006-09 true", g_get_user_name(),
                                                  g_getenv("PGUSER"));
    cr_expect_str_eq(who, expect_who);
    g_autofree char *pa = g_build_filename(f->out, "priced_activity.csv", NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    cr_assert(g_file_get_contents(pa, &text, &len, NULL));
    g_autofree char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)text, len);
    g_autofree char *got = pgh_value(
        c, "SELECT sha256 || ' ' || size_bytes FROM pbc.load_files f JOIN pbc.loads l USING"
           " (load_id) WHERE l.pct_code = $1 AND f.path LIKE '%/priced_activity.csv'",
        "T01");
    g_autofree char *want = g_strdup_printf("%s %zu", sha, len);
    cr_expect_str_eq(got, want);
    g_autofree char *kinds = pgh_value(
        c, "SELECT string_agg(DISTINCT kind, ',' ORDER BY kind) FROM pbc.load_files f JOIN"
           " pbc.loads l USING (load_id) WHERE l.pct_code = $1",
        "T01");
    cr_expect_str_eq(kinds, "input,output,reference,run");
    g_autofree char *loaded = pgh_value(
        c, "SELECT rows_loaded FROM pbc.load_tables t JOIN pbc.loads l USING (load_id)"
           " WHERE l.pct_code = $1 AND t.table_name = 'priced_activity'",
        "T01");
    cr_expect_str_eq(loaded, "7");
    g_autofree char *failed = pgh_value(
        c, "SELECT count(*) FILTER (WHERE k.status <> 'OK') || '/' || (count(*) > 50) FROM"
           " pbc.load_checks k JOIN pbc.loads l USING (load_id) WHERE l.pct_code = $1",
        "T01");
    cr_expect_str_eq(failed, "0/true");
    PQfinish(c);
    fix_free(f);
}

Test(publish, views_render_the_statement)
{
    Fix *f = fix_new("T02");
    g_autofree char *log = NULL;
    cr_assert_eq(run_publish(&log, "-o '%s'", f->out), 0, "%s", log);
    PGconn *c = pgh_connect();
    /* Cumulative spend reaches spend_ytd and the phased budget budget_ytd in month 6. */
    g_autofree char *last = pgh_value(
        c, "SELECT cumulative_spend_pence || ' ' || phased_budget_pence || ' ' || month_number"
           " FROM pbc.v_cumulative_spend WHERE pct_code = $1 AND practice_code = 'A81001'"
           " ORDER BY month_number DESC LIMIT 1",
        "T02");
    cr_expect_str_eq(last, "200000 8266 6");
    g_autofree char *months = pgh_value(
        c, "SELECT string_agg(activity_month || '=' || spend_pence, ',' ORDER BY month_number)"
           " FROM pbc.v_cumulative_spend WHERE pct_code = $1 AND practice_code = 'A81001'",
        "T02");
    cr_expect_str_eq(months,
                     "2006-04=0,2006-05=100000,2006-06=0,2006-07=100000,2006-08=0,2006-09=0");
    /* round(16531 * 1 / 12) = 1378 (1377.58) */
    g_autofree char *m1 = pgh_value(
        c, "SELECT phased_budget_pence FROM pbc.v_cumulative_spend WHERE pct_code = $1"
           " AND practice_code = 'A81001' AND month_number = 1",
        "T02");
    cr_expect_str_eq(m1, "1378");
    g_autofree char *charges = pgh_value(
        c, "SELECT count(*) || ' ' || sum(practice_pence) FROM pbc.v_patient_charges"
           " WHERE pct_code = $1 AND practice_code = 'A81001'",
        "T02");
    cr_expect_str_eq(charges, "4 200000");
    g_autofree char *pods = pgh_value(
        c, "SELECT string_agg(pod || ':' || pod_description, ',' ORDER BY pod) FROM"
           " pbc.v_statement_pod WHERE pct_code = $1",
        "T02");
    cr_expect_str_eq(pods, "EL:Elective inpatient admission,NEL:Non-elective admission,"
                           "OPFA:Outpatient first attendance,OPTEL:Outpatient telephone "
                           "consultation");
    g_autofree char *st = pgh_value(
        c, "SELECT practice_name || ' ' || consortium_code || ' ' || month_number FROM"
           " pbc.v_statement WHERE pct_code = $1 AND practice_code = 'A81002'",
        "T02");
    cr_expect_str_eq(st, "Hill Practice C1 6");
    PQfinish(c);
    fix_free(f);
}

/* ---- re-runs --------------------------------------------------------------- */

Test(publish, reloading_a_period_replaces_it)
{
    Fix *f = fix_new("T03");
    g_autofree char *log1 = NULL, *log2 = NULL;
    cr_assert_eq(run_publish(&log1, "--out '%s'", f->out), 0, "%s", log1);
    PGconn *c = pgh_connect();
    g_autofree char *first = pgh_value(
        c, "SELECT load_id FROM pbc.loads WHERE pct_code = $1 AND status = 'OK'", "T03");
    cr_assert_eq(run_publish(&log2, "--out '%s'", f->out), 0, "%s", log2);
    for (guint i = 0; i < G_N_ELEMENTS(fixture_rows); i++)
        cr_expect_eq(count_rows(c, fixture_rows[i].table, "T03"), fixture_rows[i].rows,
                     "pbc.%s after a re-load", fixture_rows[i].table);
    /* Every row now belongs to the second load; the first is marked replaced. */
    g_autofree char *current = pgh_value(
        c, "SELECT count(*) FILTER (WHERE current) || ' ' || count(*) FROM pbc.v_loads"
           " WHERE pct_code = $1 AND status = 'OK'",
        "T03");
    cr_expect_str_eq(current, "1 2");
    const char *p[] = {"T03", first};
    PGresult *r = pgh_query(c,
                            "SELECT (SELECT count(*) FROM pbc.statements WHERE pct_code = $1"
                            " AND load_id = $2::bigint),"
                            " (SELECT replaced_by IS NOT NULL FROM pbc.loads WHERE load_id = "
                            "$2::bigint)",
                            2, p);
    cr_expect_str_eq(PQgetvalue(r, 0, 0), "0");
    cr_expect_str_eq(PQgetvalue(r, 0, 1), "t");
    PQclear(r);
    /* Another period of the same PCT is a separate publication. */
    fix_write_ini(f, "2006-08");
    g_autofree char *log3 = NULL;
    cr_assert_eq(run_publish(&log3, "--out '%s'", f->out), 0, "%s", log3);
    cr_expect_eq(count_rows(c, "priced_activity", "T03"), 14);
    PQfinish(c);
    fix_free(f);
}

Test(publish, a_corrected_run_leaves_no_old_rows)
{
    Fix *f = fix_new("T04");
    g_autofree char *log1 = NULL, *log2 = NULL;
    cr_assert_eq(run_publish(&log1, "--out '%s'", f->out), 0, "%s", log1);
    /* The provider re-sent spell S4 under a new number, and one DQ row went. */
    fix_edit(f, "priced_activity.csv", "RA9:S4,", "RA9:S4C,");
    fix_edit(f, "data_quality.csv", "RA9,2005-07,OUT_OF_RANGE,,1\n", "");
    cr_assert_eq(run_publish(&log2, "--out '%s'", f->out), 0, "%s", log2);
    PGconn *c = pgh_connect();
    g_autofree char *ids = pgh_value(
        c, "SELECT count(*) FILTER (WHERE unit_id = 'RA9:S4') || ' ' ||"
           " count(*) FILTER (WHERE unit_id = 'RA9:S4C') || ' ' || count(*)"
           " FROM pbc.priced_activity WHERE pct_code = $1",
        "T04");
    cr_expect_str_eq(ids, "0 1 7");
    cr_expect_eq(count_rows(c, "data_quality", "T04"), 15);
    PQfinish(c);
    fix_free(f);
}

/* ---- concurrency ------------------------------------------------------------ */

Test(publish, no_wait_fails_while_the_pct_is_locked_and_wait_waits)
{
    Fix *f = fix_new("T05");
    PGconn *holder = pgh_connect();
    pgh_exec(holder, "BEGIN");
    const char *p[] = {"T05"};
    PQclear(pgh_query(holder, "SELECT pg_advisory_xact_lock(1346520912, hashtext(upper($1)))", 1,
                      p));

    g_autofree char *log = NULL;
    cr_expect_eq(run_publish(&log, "--no-wait --out '%s'", f->out), 4, "%s", log);
    cr_expect(strstr(log, "pbc-publish: error: another publish of PCT T05 is in progress"),
              "%s", log);

    /* --wait (the default) blocks until the holder lets go, then publishes. */
    g_autofree char *bin = t_bin();
    g_autofree char *rcfile = g_build_filename(f->root, "rc", NULL);
    cr_assert_eq(t_sh(NULL, "( '%s/pbc-publish' --out '%s' >'%s/log' 2>&1; echo $? >'%s.tmp';"
                            " mv '%s.tmp' '%s' ) </dev/null >/dev/null 2>&1 &",
                      bin, f->out, f->root, rcfile, rcfile, rcfile),
                 0);
    g_usleep(1500 * 1000);
    cr_expect(!g_file_test(rcfile, G_FILE_TEST_EXISTS), "--wait did not wait");
    PGconn *c = pgh_connect();
    cr_expect_eq(count_rows(c, "priced_activity", "T05"), 0);
    pgh_exec(holder, "COMMIT");
    for (int i = 0; i < 600 && !g_file_test(rcfile, G_FILE_TEST_EXISTS); i++)
        g_usleep(100 * 1000);
    g_autofree char *rc = NULL;
    cr_assert(g_file_get_contents(rcfile, &rc, NULL, NULL), "the waiting publish never ended");
    cr_expect_eq(atoi(rc), 0);
    cr_expect_eq(count_rows(c, "priced_activity", "T05"), 7);
    PQfinish(holder);
    PQfinish(c);
    fix_free(f);
}

Test(publish, simultaneous_publishes_of_one_pct_queue_and_never_duplicate)
{
    Fix *f = fix_new("T06");
    g_autofree char *log = NULL;
    g_autofree char *bin = t_bin();
    int rc = t_sh(&log,
                  "b='%s'; o='%s'; \"$b/pbc-publish\" -q -o \"$o\" & p1=$!;"
                  " \"$b/pbc-publish\" -q -o \"$o\" & p2=$!; \"$b/pbc-publish\" -q -o \"$o\" &"
                  " p3=$!; wait $p1 || exit 1; wait $p2 || exit 2; wait $p3 || exit 3",
                  bin, f->out);
    cr_assert_eq(rc, 0, "%s", log);
    PGconn *c = pgh_connect();
    for (guint i = 0; i < G_N_ELEMENTS(fixture_rows); i++)
        cr_expect_eq(count_rows(c, fixture_rows[i].table, "T06"), fixture_rows[i].rows,
                     "pbc.%s", fixture_rows[i].table);
    g_autofree char *loads = pgh_value(
        c, "SELECT count(*) || ' ' || count(*) FILTER (WHERE current) FROM pbc.v_loads"
           " WHERE pct_code = $1 AND status = 'OK'",
        "T06");
    cr_expect_str_eq(loads, "3 1");
    PQfinish(c);
    fix_free(f);
}

/* ---- failures leave the database as it was -------------------------------- */

/* Fixed-size strings: Criterion copies parameters into each test's process. */
typedef struct {
    int id;
    char name[32];
    char file[32];
    char old[96];
    char new_text[128];
    int exit_code;
    char message[96];
} Fault;

static const Fault faults[] = {
    /* a malformed value in the last file loaded: caught before it is sent */
    {0, "malformed_later_file", "top_hrgs.csv", "1,H01,4,", "1,H01,four,", 3,
     "top_hrgs.csv\" line 2: column \"units\" is not an integer: \"four\""},
    /* a record with a field missing */
    {1, "short_row", "unpriced.csv", "units\n", "units\n2006/07,APC,EL,H99,RA9\n", 3,
     "line 2: 5 fields where the header has 6"},
    /* the server refuses a row (duplicate statement): the COPY fails mid-load */
    {2, "server_refuses_a_row", "statements.csv", "A81002,2006/07",
     "A81002,2006/07,2006-09,1,1,0,1,0,1,0,1,0,x,C1,0\nA81002,2006/07", 4,
     "duplicate key value violates unique constraint"},
    /* tampered: one practice's spend no longer matches its units */
    {3, "tampered_statement", "statements.csv", ",8266,200000,", ",8266,200001,", 4,
     "published totals do not match the output files"},
    /* tampered: a unit's practice share changed in the patient file */
    {4, "tampered_unit", "priced_activity.csv", "TARIFF,PRACTICE,100000,4321,",
     "TARIFF,PRACTICE,100001,4321,", 4, "published totals do not match the output files"},
    /* tampered: reconciliation.csv no longer matches the published rows */
    {5, "tampered_reconciliation", "reconciliation.csv", "priced_activity_rows_eq_units_in_range,ALL,7,7",
     "priced_activity_rows_eq_units_in_range,ALL,8,8", 4,
     "reconciliation.csv priced_activity_rows_eq_units_in_range"},
    /* a required column missing */
    {6, "missing_column", "practice_month.csv", "practice_code,activity_month,pod,units,",
     "practice_code,activity_month,pod,unitz,", 3, "missing required column \"units\""},
};

ParameterizedTestParameters(publish, a_failed_load_changes_nothing)
{
    return cr_make_param_array(Fault, faults, G_N_ELEMENTS(faults));
}

ParameterizedTest(const Fault *fault, publish, a_failed_load_changes_nothing)
{
    g_autofree char *pct = g_strdup_printf("F%02d", fault->id);
    Fix *f = fix_new(pct);
    g_autofree char *log1 = NULL, *log2 = NULL;
    cr_assert_eq(run_publish(&log1, "--out '%s'", f->out), 0, "%s", log1);
    PGconn *c = pgh_connect();
    g_autofree char *before = snapshot(c, pct);
    fix_edit(f, fault->file, fault->old, fault->new_text);
    cr_expect_eq(run_publish(&log2, "--out '%s'", f->out), fault->exit_code,
                 "%s: %s", fault->name, log2);
    cr_expect(strstr(log2, fault->message) != NULL, "%s: expected \"%s\" in:\n%s", fault->name,
              fault->message, log2);
    cr_expect(strstr(log2, "pbc-publish: error: ") != NULL, "%s", log2);
    g_autofree char *after = snapshot(c, pct);
    cr_expect_str_eq(after, before, "%s changed the database", fault->name);
    /* The attempt itself is on record. */
    g_autofree char *failed = pgh_value(
        c, "SELECT count(*) FROM pbc.loads WHERE pct_code = $1 AND status = 'FAILED'", pct);
    cr_expect_str_eq(failed, "1");
    PQfinish(c);
    fix_free(f);
}

/* ---- the output directory -------------------------------------------------- */

Test(publish, refuses_a_world_readable_output_directory)
{
    Fix *f = fix_new("T07");
    cr_assert_eq(chmod(f->out, 0755), 0);
    g_autofree char *log = NULL;
    cr_expect_eq(run_publish(&log, "--out '%s'", f->out), 3, "%s", log);
    cr_expect(strstr(log, "is world-readable"), "%s", log);
    cr_expect(strstr(log, "hint: chmod o-rwx"), "%s", log);
    cr_assert_eq(chmod(f->out, 0700), 0);
    g_autofree char *pa = g_build_filename(f->out, "priced_activity.csv", NULL);
    cr_assert_eq(chmod(pa, 0644), 0);
    g_autofree char *log2 = NULL;
    cr_expect_eq(run_publish(&log2, "--out '%s'", f->out), 3, "%s", log2);
    cr_expect(strstr(log2, "priced_activity.csv\" is world-readable"), "%s", log2);
    PGconn *c = pgh_connect();
    cr_expect_eq(count_rows(c, "priced_activity", "T07"), 0);
    PQfinish(c);
    fix_free(f);
}

Test(publish, refuses_an_incomplete_output_directory)
{
    Fix *f = fix_new("T08");
    g_autofree char *st = g_build_filename(f->out, "statements.csv", NULL);
    cr_assert_eq(unlink(st), 0);
    g_autofree char *log = NULL;
    cr_expect_eq(run_publish(&log, "--out '%s'", f->out), 3, "%s", log);
    cr_expect(strstr(log, "statements.csv\" is missing"), "%s", log);
    /* No run.ini: not a finished run. */
    g_autofree char *ini = g_build_filename(f->out, "run.ini", NULL);
    cr_assert_eq(unlink(ini), 0);
    g_autofree char *log2 = NULL;
    cr_expect_eq(run_publish(&log2, "--out '%s'", f->out), 3, "%s", log2);
    cr_expect(strstr(log2, "could not read file"), "%s", log2);
    /* An input the run read has gone: its checksum cannot be recorded. */
    Fix *g = fix_new("T08");
    g_autofree char *in = g_build_filename(g->root, "in", "apc.csv", NULL);
    cr_assert_eq(unlink(in), 0);
    g_autofree char *log3 = NULL;
    cr_expect_eq(run_publish(&log3, "--out '%s'", g->out), 3, "%s", log3);
    cr_expect(strstr(log3, "apc.csv"), "%s", log3);
    PGconn *c = pgh_connect();
    cr_expect_eq(count_rows(c, "priced_activity", "T08"), 0);
    PQfinish(c);
    fix_free(f);
    fix_free(g);
}

/* ---- command line -------------------------------------------------------------- */

typedef struct {
    char args[80];
    int exit_code;
    char message[80];
} Cli;

static const Cli cli[] = {
    {"--help", 0, "Examples:"},
    {"--version", 0, "pbc-publish"},
    {"", 2, "nothing to do"},
    {"--bogus", 2, "Unknown option --bogus"},
    {"--out /tmp --wait --no-wait", 2, "cannot be used together"},
    {"--create-roles", 2, "needs the reference directory"},
    {"--out /tmp extra", 2, "too many arguments"},
    /* The pages are pbc-statements' (docs/statements.md): pbc-publish renders none. */
    {"--statements /tmp/x", 2, "Unknown option --statements"},
    {"--migrate --period 2006-09", 2, "--period is only used with --changes"},
    {"--out /tmp --pct 5QA", 2, "--pct is only used with"},
    {"--migrate --sql-dir /nonexistent", 3, "is not a directory"},
    {"--out /nonexistent/run", 3, "could not open output directory \"/nonexistent/run\""},
    {"--migrate --dbname 'host=/nonexistent-socket-dir dbname=pbc'", 4,
     "pbc-publish: error: could not connect to database: "},
};

ParameterizedTestParameters(publish, command_line)
{
    return cr_make_param_array(Cli, cli, G_N_ELEMENTS(cli));
}

ParameterizedTest(const Cli *t, publish, command_line)
{
    g_autofree char *log = NULL;
    int rc = run_publish(&log, "%s", t->args);
    cr_expect_eq(rc, t->exit_code, "pbc-publish %s: exit %d\n%s", t->args, rc, log);
    cr_expect(strstr(log, t->message) != NULL, "pbc-publish %s: expected \"%s\" in:\n%s",
              t->args, t->message, log);
}

Test(publish, migrate_is_idempotent)
{
    g_autofree char *log1 = NULL, *log2 = NULL;
    cr_assert_eq(run_publish(&log1, "--migrate"), 0, "%s", log1);
    cr_assert_eq(run_publish(&log2, "--migrate"), 0, "%s", log2);
    cr_expect(strstr(log2, "0 migrations applied") || g_getenv("PBC_QUIET"), "%s", log2);
    PGconn *c = pgh_connect();
    g_autofree char *n = pgh_value(c, "SELECT count(*) FROM pbc.schema_migrations", NULL);
    cr_expect_geq(atoi(n), 3);
    PQfinish(c);
}

/* ---- statements ---------------------------------------------------------------- */

/*
 * A publication is what pbc-statements renders (the single renderer,
 * docs/statements.md; its own suite is test_statements.c): the fixture's two
 * statements, their charges owner-only and adding up to spend_ytd.
 */
Test(publish, a_publication_renders_with_pbc_statements)
{
    Fix *f = fix_new("T09");
    g_autofree char *log = NULL;
    cr_assert_eq(run_publish(&log, "-q --out '%s'", f->out), 0, "%s", log);
    g_autofree char *bin = t_bin();
    g_free(g_steal_pointer(&log));
    cr_assert_eq(t_sh(&log, "'%s/pbc-statements' -q --out '%s' 2>&1", bin, f->out), 0, "%s", log);
    g_autofree char *dir = g_build_filename(f->out, "statements", NULL);
    /* The summaries hold no patient data (0644, in the 0700 directory); the rest does. */
    const struct {
        const char *name;
        unsigned mode;
    } files[] = {{"index.html", 0644},         {"pct.html", 0644},
                 {"A81001.html", 0600},        {"A81002.html", 0600},
                 {"A81001_charges.csv", 0600}, {"A81002_charges.csv", 0600},
                 {"A81001_changes.csv", 0600}, {"A81002_changes.csv", 0600}};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(dir, files[i].name, NULL);
        struct stat st;
        cr_assert_eq(stat(p, &st), 0, "%s not written", p);
        cr_expect_eq(st.st_mode & 0777, files[i].mode, "%s: mode %o", p, st.st_mode & 0777);
    }
    /* The headline: spend to date 2,000.00 (A81001's four units), as pence for a program. */
    g_autofree char *page_path = g_build_filename(dir, "A81001.html", NULL);
    g_autofree char *page = NULL;
    cr_assert(g_file_get_contents(page_path, &page, NULL, NULL));
    cr_expect(strstr(page, "id=\"f-spend_ytd\" data-pence=\"200000\"") != NULL);
    cr_expect(strstr(page, "id=\"f-variance_ytd\" data-pence=\"-191734\"") != NULL);
    cr_expect(strstr(page, "href=\"A81001_charges.csv\"") != NULL);
    /* The charges add up to the statement's spend to date. */
    g_autofree char *csv = g_build_filename(dir, "A81001_charges.csv", NULL);
    TCsv *t = t_csv_read(csv);
    gint64 sum = 0;
    for (guint i = 0; i < t->rows->len; i++)
        sum += t_int(g_ptr_array_index(t->rows, i), "practice_pence");
    cr_expect_eq(t->rows->len, 4);
    cr_expect_eq(sum, 200000);
    t_csv_free(t);
    fix_free(f);
}
