/*
 * test_publish_rls.c: roles and row-level security (SPEC §7.2,
 * sql/migrations/003_security.sql, `pbc-publish --create-roles`).
 *
 * After --create-roles from the fixture's practices.csv (A81001 and A81002
 * in consortium C1 of PCT 5QA, A81003 in C2 of 5QB) and a publish, each
 * practice and consortium role sees, in every table and view with practice
 * rows, exactly the rows of its own practices (patient-level rows included)
 * and none of another's; finance sees everything; a reader mapped to no
 * practice sees nothing; nobody but the loader can write.
 */
#include "publish_fixture.h"

#include <criterion/hooks.h>

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

/* Every relation a practice role may read that has practice rows. */
static const char *const relations[] = {
    "practices",           "priced_activity",  "practice_month",       "statements",
    "statement_breakdown", "budgets",          "benchmarks",           "v_statement",
    "v_statement_pod",     "v_statement_provider", "v_cumulative_spend", "v_patient_charges",
    "v_benchmarks",
};

/* Roles and the practices each must see. */
static const struct {
    const char *role;
    const char *practices; /* text[] literal */
} roles[] = {
    {"pbc_practice_a81001", "{A81001}"},
    {"pbc_practice_a81002", "{A81002}"},
    {"pbc_practice_a81003", "{A81003}"},
    {"pbc_consortium_c1", "{A81001,A81002}"},
    {"pbc_consortium_c2", "{A81003}"},
};

static Fix *fix;

/* Once per test process: roles and a publish under PCT R01 (idempotent). */
static void
setup(void)
{
    fix = fix_new("R01");
    g_autofree char *log1 = NULL, *log2 = NULL;
    cr_assert_eq(run_publish(&log1, "--create-roles --ref '%s'", fix->ref), 0, "%s", log1);
    cr_assert_eq(run_publish(&log2, "--out '%s'", fix->out), 0, "%s", log2);
}

static void
teardown(void)
{
    fix_free(fix);
}

TestSuite(rls, .init = setup, .fini = teardown);

/*
 * Counts rows of relation as role (SET ROLE) and as the superuser, in one
 * snapshot: *seen all rows visible to role, *foreign those of practices not
 * in own, *expected the rows of own practices.
 */
static void
count_as(PGconn *c, const char *role, const char *relation, const char *own, long *seen,
         long *foreign, long *expected)
{
    pgh_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    const char *p[] = {own};
    g_autofree char *sql_all = g_strdup_printf(
        "SELECT count(*) FROM pbc.%s WHERE practice_code = ANY ($1::text[])", relation);
    PGresult *r = pgh_query(c, sql_all, 1, p);
    *expected = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    g_autofree char *set = g_strdup_printf("SET LOCAL ROLE %s", role);
    pgh_exec(c, set);
    g_autofree char *sql_role = g_strdup_printf(
        "SELECT count(*), count(*) FILTER (WHERE practice_code IS NULL OR"
        " practice_code <> ALL ($1::text[])) FROM pbc.%s",
        relation);
    r = pgh_query(c, sql_role, 1, p);
    *seen = atol(PQgetvalue(r, 0, 0));
    *foreign = atol(PQgetvalue(r, 0, 1));
    PQclear(r);
    pgh_exec(c, "ROLLBACK");
}

Test(rls, each_role_sees_exactly_its_own_practices_rows)
{
    PGconn *c = pgh_connect();
    for (guint i = 0; i < G_N_ELEMENTS(roles); i++) {
        for (guint j = 0; j < G_N_ELEMENTS(relations); j++) {
            long seen, foreign, expected;
            count_as(c, roles[i].role, relations[j], roles[i].practices, &seen, &foreign,
                     &expected);
            cr_expect_eq(foreign, 0, "%s sees %ld rows of other practices in pbc.%s",
                         roles[i].role, foreign, relations[j]);
            cr_expect_eq(seen, expected, "%s sees %ld of its %ld rows in pbc.%s", roles[i].role,
                         seen, expected, relations[j]);
        }
    }
    /* Not vacuous: A81001 has patient-level rows, statements and charges. */
    const char *nonempty[] = {"priced_activity", "statements", "v_patient_charges",
                              "v_cumulative_spend", "practices"};
    for (guint j = 0; j < G_N_ELEMENTS(nonempty); j++) {
        long seen, foreign, expected;
        count_as(c, "pbc_practice_a81001", nonempty[j], "{A81001}", &seen, &foreign, &expected);
        cr_expect_gt(seen, 0, "pbc_practice_a81001 sees no rows in pbc.%s", nonempty[j]);
    }
    /* A81003's only unit is out of area: the practice still sees it, C1 does not. */
    long seen, foreign, expected;
    count_as(c, "pbc_practice_a81003", "priced_activity", "{A81003}", &seen, &foreign, &expected);
    cr_expect_gt(seen, 0);
    PQfinish(c);
}

Test(rls, finance_sees_everything_and_an_unmapped_reader_nothing)
{
    PGconn *c = pgh_connect();
    pgh_exec(c, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname ="
                " 'pbc_test_nobody') THEN CREATE ROLE pbc_test_nobody IN ROLE pbc_reader;"
                " END IF; END $$");
    for (guint j = 0; j < G_N_ELEMENTS(relations); j++) {
        g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM pbc.%s", relations[j]);
        pgh_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ");
        g_autofree char *all = pgh_value(c, sql, NULL);
        pgh_exec(c, "SET LOCAL ROLE pbc_finance");
        g_autofree char *fin = pgh_value(c, sql, NULL);
        pgh_exec(c, "ROLLBACK");
        cr_expect_str_eq(fin, all, "finance sees %s of %s rows in pbc.%s", fin, all,
                         relations[j]);
        pgh_exec(c, "BEGIN");
        pgh_exec(c, "SET LOCAL ROLE pbc_test_nobody");
        g_autofree char *none = pgh_value(c, sql, NULL);
        pgh_exec(c, "ROLLBACK");
        cr_expect_str_eq(none, "0", "an unmapped reader sees %s rows in pbc.%s", none,
                         relations[j]);
    }
    PQfinish(c);
}

/* Statements that must fail for a practice role and for finance. */
static const char *const forbidden[] = {
    "SELECT count(*) FROM pbc.rejects",
    "SELECT count(*) FROM pbc.data_quality",
    "SELECT count(*) FROM pbc.loads",
    "INSERT INTO pbc.statements (load_id, pct_code, period, practice_code, fin_year,"
    " reporting_month, annual_budget, budget_ytd, spend_ytd, variance_ytd, forecast_outturn,"
    " forecast_variance, freed_up_practice, freed_up_pct, risk_pool_ytd)"
    " VALUES (0, 'R01', '2006-10', 'A81001', '2006/07', '2006-10', 0, 0, 0, 0, 0, 0, 0, 0, 0)",
    "UPDATE pbc.priced_activity SET price_pence = 0",
    "DELETE FROM pbc.statements",
    "DELETE FROM pbc.role_practices",
    "INSERT INTO pbc.role_practices VALUES ('pbc_practice_a81001', 'A81002')",
};

Test(rls, nobody_but_the_loader_writes)
{
    PGconn *c = pgh_connect();
    const char *who[] = {"pbc_practice_a81001", "pbc_consortium_c1", "pbc_finance"};
    for (guint w = 0; w < G_N_ELEMENTS(who); w++) {
        for (guint i = 0; i < G_N_ELEMENTS(forbidden); i++) {
            /* Finance may read everything; only writes are forbidden to it. */
            if (strcmp(who[w], "pbc_finance") == 0 && g_str_has_prefix(forbidden[i], "SELECT"))
                continue;
            pgh_exec(c, "BEGIN");
            g_autofree char *set = g_strdup_printf("SET LOCAL ROLE %s", who[w]);
            pgh_exec(c, set);
            PGresult *r = PQexec(c, forbidden[i]);
            cr_expect_eq(PQresultStatus(r), PGRES_FATAL_ERROR, "%s could run: %s", who[w],
                         forbidden[i]);
            cr_expect(strstr(PQerrorMessage(c), "permission denied") != NULL, "%s: %s: %s",
                      who[w], forbidden[i], PQerrorMessage(c));
            PQclear(r);
            pgh_exec(c, "ROLLBACK");
        }
    }
    PQfinish(c);
}

/* Writes a practices.csv into dir with B81002 in consortium cons. */
static void
write_practices(const char *dir, const char *cons)
{
    g_autofree char *text = g_strdup_printf(
        "practice_code,practice_name,consortium_code,pct_code,open_date,close_date,"
        "successor_code\nB81001,One,ZC1,5QZ,01/04/1990,,\nB81002,Two,%s,5QZ,19900401,,\n"
        "B81003,Three,ZC2,5QZ,1990-04-01,,\n",
        cons);
    g_autofree char *path = g_build_filename(dir, "practices.csv", NULL);
    cr_assert(g_file_set_contents(path, text, -1, NULL));
}

static char *
mapping(PGconn *c, const char *role)
{
    return pgh_value(c,
                     "SELECT coalesce(string_agg(practice_code, ',' ORDER BY practice_code), '')"
                     " FROM pbc.role_practices WHERE role_name = $1",
                     role);
}

Test(rls, create_roles_is_repeatable_and_follows_a_practice_that_moves)
{
    PGconn *c = pgh_connect();
    g_autofree char *dir = t_tmpdir();
    write_practices(dir, "ZC1");
    g_autofree char *log = NULL, *log2 = NULL, *log3 = NULL;
    cr_assert_eq(run_publish(&log, "--create-roles --ref '%s' --pct 5QZ", dir), 0, "%s", log);
    cr_assert_eq(run_publish(&log2, "--create-roles --ref '%s' --pct 5QZ", dir), 0, "%s", log2);
    g_autofree char *zc1 = mapping(c, "pbc_consortium_zc1");
    cr_expect_str_eq(zc1, "B81001,B81002");
    g_autofree char *p2 = mapping(c, "pbc_practice_b81002");
    cr_expect_str_eq(p2, "B81002");
    /* B81002 moves to ZC2: the consortium roles follow. */
    write_practices(dir, "ZC2");
    cr_assert_eq(run_publish(&log3, "--create-roles --ref '%s' --pct 5QZ", dir), 0, "%s", log3);
    g_autofree char *zc1b = mapping(c, "pbc_consortium_zc1");
    g_autofree char *zc2b = mapping(c, "pbc_consortium_zc2");
    cr_expect_str_eq(zc1b, "B81001");
    cr_expect_str_eq(zc2b, "B81002,B81003");
    g_autofree char *member = pgh_value(
        c, "SELECT pg_has_role('pbc_practice_b81003', 'pbc_reader', 'MEMBER')::text", NULL);
    cr_expect_str_eq(member, "true");
    t_rmrf(dir);
    PQfinish(c);
}

/* A login that is a member of pbc_loader publishes; one that is not cannot. */
Test(rls, only_members_of_pbc_loader_publish)
{
    PGconn *c = pgh_connect();
    pgh_exec(c, "DO $$ BEGIN"
                " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pbc_test_etl') THEN"
                "  CREATE ROLE pbc_test_etl LOGIN IN ROLE pbc_loader; END IF;"
                " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pbc_test_outsider') THEN"
                "  CREATE ROLE pbc_test_outsider LOGIN; END IF; END $$");
    Fix *f = fix_new("R02");
    g_autofree char *log = NULL, *log2 = NULL;
    cr_expect_eq(run_publish(&log, "-d 'user=pbc_test_etl' --out '%s'", f->out), 0, "%s", log);
    g_autofree char *who = pgh_value(
        c, "SELECT db_session_user || ' ' || db_current_user FROM pbc.loads WHERE pct_code = $1"
           " AND status = 'OK'",
        "R02");
    cr_expect_str_eq(who, "pbc_test_etl pbc_loader");
    cr_expect_eq(run_publish(&log2, "-d 'user=pbc_test_outsider' --out '%s'", f->out), 4, "%s",
                 log2);
    cr_expect(strstr(log2, "permission denied"), "%s", log2);
    fix_free(f);
    PQfinish(c);
}

/*
 * The connection is lost part-way through a load (the server ends the
 * backend while it waits on a table lock after deleting the earlier rows):
 * exit 4, and the database is as it was.
 */
Test(rls, a_load_cut_off_mid_way_changes_nothing)
{
    Fix *f = fix_new("R03");
    g_autofree char *log = NULL;
    cr_assert_eq(run_publish(&log, "--out '%s'", f->out), 0, "%s", log);
    PGconn *c = pgh_connect();
    g_autofree char *before = pgh_value(
        c, "SELECT count(*) || ':' || sum(price_pence) || ':' || min(load_id) FROM"
           " pbc.priced_activity WHERE pct_code = $1",
        "R03");
    PGconn *blocker = pgh_connect();
    pgh_exec(blocker, "BEGIN");
    /* top_hrgs is deleted from last: the load has already deleted the other tables' rows. */
    pgh_exec(blocker, "LOCK TABLE pbc.top_hrgs IN ACCESS EXCLUSIVE MODE");
    g_autofree char *bin = t_bin();
    g_autofree char *rcfile = g_build_filename(f->root, "rc", NULL);
    /* Its own application_name, so that only this publisher is ended. */
    cr_assert_eq(t_sh(NULL, "( '%s/pbc-publish' -d application_name=pbc-publish-R03 --out '%s'"
                            " >'%s/log' 2>&1; echo $? >'%s.tmp';"
                            " mv '%s.tmp' '%s' ) </dev/null >/dev/null 2>&1 &",
                      bin, f->out, f->root, rcfile, rcfile, rcfile),
                 0);
    /* Wait until the publisher is blocked on the table, then end its backend. */
    gboolean killed = FALSE;
    for (int i = 0; i < 300 && !killed; i++) {
        g_autofree char *n = pgh_value(
            c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
               " WHERE application_name = 'pbc-publish-R03' AND wait_event_type = 'Lock'"
               " AND query LIKE $1",
            "%top_hrgs%");
        killed = atoi(n) > 0;
        if (!killed)
            g_usleep(50 * 1000);
    }
    cr_assert(killed, "the publisher never blocked on pbc.top_hrgs");
    for (int i = 0; i < 300 && !g_file_test(rcfile, G_FILE_TEST_EXISTS); i++)
        g_usleep(100 * 1000);
    pgh_exec(blocker, "ROLLBACK");
    g_autofree char *rc = NULL;
    cr_assert(g_file_get_contents(rcfile, &rc, NULL, NULL));
    g_autofree char *plog_path = g_build_filename(f->root, "log", NULL);
    g_autofree char *plog = NULL;
    g_file_get_contents(plog_path, &plog, NULL, NULL);
    cr_expect_eq(atoi(rc), 4, "%s", plog);
    cr_expect(plog && strstr(plog, "pbc-publish: error: "), "%s", plog);
    g_autofree char *after = pgh_value(
        c, "SELECT count(*) || ':' || sum(price_pence) || ':' || min(load_id) FROM"
           " pbc.priced_activity WHERE pct_code = $1",
        "R03");
    cr_expect_str_eq(after, before);
    g_autofree char *ok_loads = pgh_value(
        c, "SELECT count(*) FROM pbc.loads WHERE pct_code = $1 AND status = 'OK'", "R03");
    cr_expect_str_eq(ok_loads, "1");
    PQfinish(blocker);
    PQfinish(c);
    fix_free(f);
}
