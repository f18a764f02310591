/*
 * publish/main.c: pbc-publish, the publish stage (SPEC §7.2, docs/database.md).
 *
 * The last stage of the pipeline: loads a run's output directory into
 * PostgreSQL with COPY in one transaction (lib/pub_load.c), replacing what an
 * earlier run published for the same PCT and reporting month, checking the
 * published totals against the files before commit, and recording the load.
 * Also applies the schema migrations (lib/pub_migrate.c) and creates the
 * practice and consortium roles for row-level security (lib/pub_roles.c).
 *
 * Month end (docs/month_end.md): after a publish, the change report against
 * the run it replaced and the prior-month adjustments against closed months
 * are written beside the run's outputs (lib/pub_changes.c); --close and
 * --reopen sign a month off and back on (lib/pub_period.c); --changes DIR
 * compares any two loads.
 *
 *   ... pbc-aggregate ─▶ OUT/ (CSV files) ─ pbc-publish ─▶ PostgreSQL (schema pbc)
 *                                                    └▶ OUT/changes.csv ...
 *
 * The statement pages are pbc-statements' (publish/statements/), rendered
 * from the database after the publish.  The options, usage errors and
 * connection they share live in lib/pub_cli.c.
 *
 * Exit codes: 0 ok, 2 usage, 3 unreadable or malformed output directory or
 * reference file, 4 database (connection, SQL, lock held, totals mismatch,
 * a closed month, a load that cannot be closed, re-opened or compared).
 */
#include "log.h"
#include "pub_changes.h"
#include "pub_cli.h"
#include "pub_db.h"
#include "pub_history.h"
#include "pub_load.h"
#include "pub_migrate.h"
#include "pub_period.h"
#include "pub_roles.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static char *opt_out = NULL;
static gboolean opt_wait = FALSE;
static gboolean opt_no_wait = FALSE;
static gboolean opt_migrate = FALSE;
static gboolean opt_create_roles = FALSE;
static char *opt_ref = NULL;
static char *opt_pct = NULL;
static char *opt_period = NULL;
static char *opt_sql_dir = NULL;
static PubCli cli;
static gboolean opt_close = FALSE;
static gboolean opt_reopen = FALSE;
static char *opt_reason = NULL;
static gint64 opt_load = 0;
static char *opt_changes = NULL;
static char *opt_from = NULL;
static char *opt_to = NULL;
static gint opt_keep_history = PUB_HISTORY_KEEP_DAYS;

static const GOptionEntry entries[] = {
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
     "publish the run in output directory DIR (its run.ini names the PCT and period)", "DIR"},
    {"wait", 'w', 0, G_OPTION_ARG_NONE, &opt_wait,
     "wait while another publish of the same PCT holds the lock (default)", NULL},
    {"no-wait", 'n', 0, G_OPTION_ARG_NONE, &opt_no_wait,
     "fail at once (exit 4) if another publish of the same PCT is running", NULL},
    {"migrate", 'm', 0, G_OPTION_ARG_NONE, &opt_migrate,
     "apply pending schema migrations and exit (a publish applies them too)", NULL},
    {"create-roles", 'r', 0, G_OPTION_ARG_NONE, &opt_create_roles,
     "create a role per practice and per consortium of REF/practices.csv for row-level "
     "security (needs --ref)", NULL},
    {"ref", 'R', 0, G_OPTION_ARG_FILENAME, &opt_ref,
     "reference directory holding practices.csv, for --create-roles", "DIR"},
    {"pct", 'p', 0, G_OPTION_ARG_STRING, &opt_pct,
     "with --create-roles: only the practices of this PCT (default: all listed); "
     "with --changes: the PCT", "CODE"},
    {"period", 'P', 0, G_OPTION_ARG_STRING, &opt_period,
     "with --changes: the reporting month", "YYYY-MM"},
    {"sql-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_sql_dir,
     "migrations directory (default: $PBC_SQL_DIR, else sql/migrations of the repository)",
     "DIR"},
    {"keep-history", 'k', 0, G_OPTION_ARG_INT, &opt_keep_history,
     "with --out: keep a replaced load's unit-level rows this many days (default 45; 0 = for "
     "ever); a current or closed load's are kept for good",
     "DAYS"},
    {"close", 'C', 0, G_OPTION_ARG_NONE, &opt_close,
     "close the month PCT PERIOD (or the one published from --out DIR): its publication is "
     "signed off and cannot be published over",
     NULL},
    {"reopen", 0, 0, G_OPTION_ARG_NONE, &opt_reopen,
     "re-open the closed month PCT PERIOD so that it can be published again (needs --reason)",
     NULL},
    {"reason", 0, 0, G_OPTION_ARG_STRING, &opt_reason,
     "why the month is re-opened (required with --reopen; a note with --close), kept in the "
     "load audit",
     "TEXT"},
    {"load", 0, 0, G_OPTION_ARG_INT64, &opt_load,
     "with --close or --reopen: only if the month's current publication is this load", "ID"},
    {"changes", 'c', 0, G_OPTION_ARG_FILENAME, &opt_changes,
     "write the change report between two loads into DIR (changes.csv, "
     "changes_by_practice.csv); the loads: --to (default: the current publication of --pct "
     "--period) and --from (default: the load --to replaced)",
     "DIR"},
    {"from", 0, 0, G_OPTION_ARG_STRING, &opt_from,
     "with --changes: the earlier load (load id or run id)", "LOAD"},
    {"to", 0, 0, G_OPTION_ARG_STRING, &opt_to,
     "with --changes: the later load (load id or run id)", "LOAD"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* Connects and migrates; NULL with error on failure. */
static PGconn *
connect_and_migrate(GError **error)
{
    g_autofree char *dir = pub_migrate_find_dir(opt_sql_dir, error);
    if (dir == NULL)
        return NULL;
    PGconn *conn = pub_db_connect(cli.dbname, "pbc-publish", error);
    if (conn == NULL)
        return NULL;
    guint applied = 0;
    if (!pub_migrate(conn, dir, &applied, error)) {
        PQfinish(conn);
        return NULL;
    }
    if (opt_migrate)
        pbc_info("database %s: %u migration%s applied, schema up to date", PQdb(conn), applied,
                 applied == 1 ? "" : "s");
    return conn;
}

static gboolean
create_roles(PGconn *conn, GError **error)
{
    g_autofree char *path = g_build_filename(opt_ref, "practices.csv", NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_autofree char *gz = g_strconcat(path, ".gz", NULL);
        if (g_file_test(gz, G_FILE_TEST_EXISTS))
            g_free(g_steal_pointer(&path)), path = g_steal_pointer(&gz);
    }
    guint created = 0, mapped = 0;
    if (!pub_roles_create(conn, path, opt_pct, &created, &mapped, error))
        return FALSE;
    pbc_info("roles from \"%s\": %u practice and consortium roles, %u new", path, mapped,
             created);
    return TRUE;
}

/* The publish's change report and prior-month adjustments, logged and written beside OUT. */
static gboolean
write_changes(PGconn *conn, const PubLoadResult *r, GError **error)
{
    const PubChangeSummary *c = &r->changes;
    if (c->from_load == 0)
        pbc_info("first publication of PCT %s for %s: no earlier run to compare", r->pct,
                 r->period);
    else
        pbc_info("changes since load %" G_GINT64_FORMAT ": %" G_GUINT64_FORMAT
                 " units (%" G_GUINT64_FORMAT " added, %" G_GUINT64_FORMAT " removed, %"
                 G_GUINT64_FORMAT " re-priced, %" G_GUINT64_FORMAT " re-attributed, %"
                 G_GUINT64_FORMAT " re-dated), %+" G_GINT64_FORMAT
                 " pence against practice budgets",
                 c->from_load, c->units, c->added, c->removed, c->repriced, c->reattributed,
                 c->redated, c->delta_practice_pence);
    if (c->adjustments > 0)
        pbc_info("prior-month adjustments to closed months: %" G_GUINT64_FORMAT
                 " practice-months, %+" G_GINT64_FORMAT " pence",
                 c->adjustments, c->adjustment_pence);
    if (r->history_pruned > 0)
        pbc_info("pruned the unit history of %u old load%s (--keep-history %d)",
                 r->history_pruned, r->history_pruned == 1 ? "" : "s", opt_keep_history);
    if (!pub_changes_write_run(conn, r->load_id, opt_out, error))
        return FALSE;
    pbc_info("wrote %s, %s and %s into \"%s\"", PUB_CHANGES_CSV, PUB_CHANGES_BY_PRACTICE_CSV,
             PUB_PRIOR_MONTH_CSV, opt_out);
    return TRUE;
}

/* --close / --reopen of (pct, period). */
static int
close_or_reopen(PGconn *conn, const char *pct, const char *period)
{
    PubPeriodOptions o = {.pct = pct,
                          .period = period,
                          .expect_load = opt_load,
                          .out_dir = opt_out,
                          .reason = opt_reason,
                          .wait = !opt_no_wait};
    PubPeriodResult r;
    g_autoptr(GError) error = NULL;
    if (opt_close) {
        if (!pub_period_close(conn, &o, &r, &error))
            return pbc_report(error);
        if (r.already)
            pbc_info("PCT %s for %s was already closed (load %" G_GINT64_FORMAT
                     ", by %s at %s): nothing changed",
                     pct, period, r.load_id, r.closed_by, r.closed_at);
        else
            pbc_info("closed PCT %s for %s: load %" G_GINT64_FORMAT
                     " signed off by %s at %s (event %" G_GINT64_FORMAT ")",
                     pct, period, r.load_id, r.closed_by, r.closed_at, r.event_id);
    } else {
        if (!pub_period_reopen(conn, &o, &r, &error))
            return pbc_report(error);
        pbc_info("re-opened PCT %s for %s (load %" G_GINT64_FORMAT ", closed by %s at %s; "
                 "event %" G_GINT64_FORMAT "): the month is provisional until closed again",
                 pct, period, r.load_id, r.closed_by, r.closed_at, r.event_id);
    }
    pub_period_result_clear(&r);
    return PBC_EXIT_OK;
}

/* --changes DIR. */
static gboolean
changes_on_request(PGconn *conn, GError **error)
{
    PubChangesRequest q = {.from = opt_from, .to = opt_to, .pct = opt_pct, .period = opt_period};
    PubChangeSummary s;
    if (!pub_changes_compare(conn, &q, opt_changes, &s, error))
        return FALSE;
    pbc_info("changes from load %" G_GINT64_FORMAT " to load %" G_GINT64_FORMAT ": %"
             G_GUINT64_FORMAT " units, %" G_GUINT64_FORMAT " practice and POD rows, in \"%s\"",
             s.from_load, s.to_load, s.units, s.practice_rows, opt_changes);
    return TRUE;
}

int
main(int argc, char **argv)
{
    pbc_log_init(argv[0]);
    g_autoptr(GOptionContext) ctx = g_option_context_new("[PCT PERIOD]  (with --close or --reopen)");
    g_option_context_set_summary(
        ctx, "Publishes a run's output directory into PostgreSQL (schema pbc) in one\n"
             "transaction with COPY: the run for a PCT and reporting month replaces what an\n"
             "earlier run published for them; published totals are checked against the\n"
             "files before commit; every load is recorded with its files' SHA-256.\n"
             "Two publishes of the same PCT never run at once.  A month that finance has\n"
             "closed (--close) is not published over until re-opened (--reopen, with a\n"
             "reason).  The connection is $PGURI or libpq's PG* variables (scripts/pg.sh\n"
             "env gives the private server's).");
    g_option_context_set_description(
        ctx, "Examples:\n"
             "  eval \"$(scripts/pg.sh env)\"; scripts/pg.sh start\n"
             "  pbc-publish --out out/2006-09\n"
             "  pbc-publish --no-wait --out out/2006-09      # fail if the PCT is busy\n"
             "  pbc-publish --migrate\n"
             "  pbc-publish --create-roles --ref ref/ --pct 5QA\n"
             "  pbc-publish --out out/2006-09 && pbc-statements --out out/2006-09   # the pages\n"
             "  PGURI=postgresql://loader@db/pbc pbc-publish -o out/2006-09\n"
             "\n"
             "Month end (docs/month_end.md):\n"
             "  pbc-publish --close 5QA 2006-08                # sign the month off\n"
             "  pbc-publish --close --out out/2006-08          # the month published from there\n"
             "  pbc-publish --reopen 5QA 2006-08 --reason \"freeze corrected RA9 spells\"\n"
             "  pbc-publish --changes /tmp/ch --pct 5QA --period 2006-09   # vs the run replaced\n"
             "  pbc-publish --changes /tmp/ch --from 12 --to 15\n"
             "A publish also writes OUT/changes.csv, OUT/changes_by_practice.csv (against\n"
             "the run it replaced) and OUT/prior_month_adjustments.csv (against closed months).\n"
             "\n"
             "Exit status: 0 ok, 2 usage error, 3 unreadable, malformed or world-readable\n"
             "output directory or reference file, 4 database error, PCT busy (--no-wait),\n"
             "published totals not matching the files, a closed month, or a month or load\n"
             "that cannot be closed, re-opened or compared.  See docs/database.md.");
    int parsed = pub_cli_parse(ctx, entries, &cli, &argc, &argv);
    if (parsed >= 0)
        return parsed;
    g_autoptr(GError) error = NULL;
    /* Month end: --close / --reopen PCT PERIOD (or --out DIR, whose run names them). */
    gboolean period_cmd = opt_close || opt_reopen;
    const char *cmd_pct = NULL, *cmd_period = NULL;
    if (opt_close && opt_reopen)
        return pub_cli_usage_error("--close and --reopen cannot be used together");
    if (period_cmd) {
        const char *name = opt_close ? "--close" : "--reopen";
        if (opt_migrate || opt_create_roles || opt_changes || opt_pct || opt_period)
            return pub_cli_usage_error(
                "%s is used alone: give the month as PCT PERIOD (or --out DIR)", name);
        if (argc == 3 && opt_out == NULL) {
            cmd_pct = argv[1];
            cmd_period = argv[2];
        } else if (!(argc == 1 && opt_out != NULL)) {
            return pub_cli_usage_error(
                "%s needs the month: PCT PERIOD (e.g. %s 5QA 2006-08), or --out DIR", name, name);
        }
        if (cmd_pct && (*cmd_pct == '\0' || !pub_cli_is_period(cmd_period)))
            return pub_cli_usage_error("%s: \"%s %s\" is not a PCT code and a month YYYY-MM",
                                       name, cmd_pct, cmd_period);
        if (opt_reopen && (opt_reason == NULL || *g_strstrip(opt_reason) == '\0'))
            return pub_cli_usage_error("--reopen needs a reason: --reason \"why the signed-off "
                                       "figures must change\"");
        if (opt_keep_history != PUB_HISTORY_KEEP_DAYS)
            return pub_cli_usage_error("--keep-history is only used when publishing");
    } else {
        if (opt_reason != NULL)
            return pub_cli_usage_error("--reason is only used with --reopen or --close");
        if (opt_load != 0)
            return pub_cli_usage_error("--load is only used with --close or --reopen");
    }
    if (argc > 1 && !period_cmd)
        return pub_cli_usage_error("too many arguments: give the output directory with --out "
                                   "DIR");
    if (opt_load < 0)
        return pub_cli_usage_error("--load must be a load id (a positive number)");
    if (opt_keep_history < 0)
        return pub_cli_usage_error("--keep-history must be a number of days, 0 or more");
    if (opt_wait && opt_no_wait)
        return pub_cli_usage_error("--wait and --no-wait cannot be used together");
    if (opt_create_roles && opt_ref == NULL)
        return pub_cli_usage_error("--create-roles needs the reference directory (--ref DIR)");
    if (opt_ref != NULL && !opt_create_roles)
        return pub_cli_usage_error("--ref is only used with --create-roles");
    if ((opt_from || opt_to) && opt_changes == NULL)
        return pub_cli_usage_error("--from and --to are only used with --changes DIR");
    if (opt_changes && opt_out)
        return pub_cli_usage_error("--changes is not used with --out: a publish writes its "
                                   "change report into the output directory");
    if (opt_changes && opt_to == NULL && (opt_pct == NULL || opt_period == NULL))
        return pub_cli_usage_error("--changes needs the later load: --to LOAD, or --pct and "
                                   "--period for the month's current publication");
    if (opt_period != NULL && !pub_cli_is_period(opt_period))
        return pub_cli_usage_error("--period must be a month YYYY-MM");
    if (opt_pct != NULL && !opt_create_roles && !opt_changes)
        return pub_cli_usage_error("--pct is only used with --create-roles or --changes; a "
                                   "run's PCT is in run.ini");
    if (opt_period != NULL && !opt_changes)
        return pub_cli_usage_error("--period is only used with --changes; a run's period is in "
                                   "run.ini");
    if (opt_out == NULL && !opt_migrate && !opt_create_roles && !opt_changes && !period_cmd)
        return pub_cli_usage_error("nothing to do: give --out DIR, --migrate, --create-roles, "
                                   "--changes DIR, --close or --reopen");

    /* The output directory is checked before the database is touched. */
    g_autoptr(PubRun) run = NULL;
    if (opt_out != NULL && (run = pub_run_open(opt_out, &error)) == NULL)
        return pbc_report(error);
    PGconn *conn = connect_and_migrate(&error);
    if (conn == NULL)
        return pbc_report(error);
    if (period_cmd) {
        int r = close_or_reopen(conn, cmd_pct ? cmd_pct : run->pct,
                                cmd_period ? cmd_period : run->period);
        PQfinish(conn);
        return r;
    }
    int rc = PBC_EXIT_OK;
    if (opt_create_roles && !create_roles(conn, &error))
        rc = pbc_report(error);
    if (rc == PBC_EXIT_OK && opt_out != NULL) {
        PubLoadOptions o = {.run = run,
                            .wait = !opt_no_wait,
                            .keep_history_days = (guint)opt_keep_history};
        PubLoadResult r;
        if (pub_load(conn, &o, &r, &error)) {
            pbc_info("published load %" G_GINT64_FORMAT ": %" G_GUINT64_FORMAT
                     " rows in %.1f s%s",
                     r.load_id, r.rows, r.seconds, r.replaced ? " (replacing an earlier load)" : "");
            /* After the commit: a failure here leaves the publication standing. */
            if (!write_changes(conn, &r, &error)) {
                pbc_warning("the run was published, but its change report was not written");
                rc = pbc_report(error);
                g_clear_error(&error);
            }
            pub_load_result_clear(&r);
        } else {
            rc = pbc_report(error);
        }
    }
    if (rc == PBC_EXIT_OK && opt_changes != NULL && !changes_on_request(conn, &error))
        rc = pbc_report(error);
    PQfinish(conn);
    return rc;
}
