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
 *   ... pbc-aggregate ─▶ OUT/ (CSV files) ─ pbc-publish ─▶ PostgreSQL (schema pbc)
 *
 * Exit codes: 0 ok, 2 usage, 3 unreadable or malformed output directory or
 * reference file, 4 database (connection, SQL, lock held, totals mismatch).
 */
#include "log.h"
#include "pub_db.h"
#include "pub_load.h"
#include "pub_migrate.h"
#include "pub_render.h"
#include "pub_roles.h"

#include <glib.h>
#include <stdio.h>

static char *opt_out = NULL;
static gboolean opt_wait = FALSE;
static gboolean opt_no_wait = FALSE;
static gboolean opt_migrate = FALSE;
static gboolean opt_create_roles = FALSE;
static char *opt_ref = NULL;
static char *opt_pct = NULL;
static char *opt_period = NULL;
static char *opt_statements = NULL;
static char *opt_dbname = NULL;
static char *opt_sql_dir = NULL;
static gboolean opt_quiet = FALSE;
static gboolean opt_version = FALSE;

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
    {"statements", 's', 0, G_OPTION_ARG_FILENAME, &opt_statements,
     "also render plain statement pages and charges files from the database into DIR (with "
     "--out after the publish; without --out give --pct and --period)", "DIR"},
    {"pct", 'p', 0, G_OPTION_ARG_STRING, &opt_pct,
     "with --create-roles: only the practices of this PCT (default: all listed); "
     "with --statements and no --out: the PCT to render", "CODE"},
    {"period", 'P', 0, G_OPTION_ARG_STRING, &opt_period,
     "with --statements and no --out: the reporting month to render", "YYYY-MM"},
    {"dbname", 'd', 0, G_OPTION_ARG_STRING, &opt_dbname,
     "connection string or URI (default: $PGURI, else libpq's PGHOST, PGDATABASE ...)",
     "CONNINFO"},
    {"sql-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_sql_dir,
     "migrations directory (default: $PBC_SQL_DIR, else sql/migrations of the repository)",
     "DIR"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "log errors and warnings only", NULL},
    {"version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "print the version and exit", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* A usage error: message, hint, exit code 2. */
static int
usage_error(const char *msg)
{
    pbc_error("%s", msg);
    pbc_hint("try \"%s --help\" for more information", pbc_log_prog());
    return PBC_EXIT_USAGE;
}

/* Connects and migrates; NULL with error on failure. */
static PGconn *
connect_and_migrate(GError **error)
{
    g_autofree char *dir = pub_migrate_find_dir(opt_sql_dir, error);
    if (dir == NULL)
        return NULL;
    PGconn *conn = pub_db_connect(opt_dbname, "pbc-publish", error);
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

static gboolean
render(PGconn *conn, const char *pct, const char *period, const char *dir, GError **error)
{
    guint n = 0;
    if (!pub_render_statements(conn, pct, period, dir, &n, error))
        return FALSE;
    pbc_info("rendered %u statement%s of PCT %s for %s into \"%s\"", n, n == 1 ? "" : "s", pct,
             period, dir);
    return TRUE;
}

int
main(int argc, char **argv)
{
    pbc_log_init(argv[0]);
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_option_context_set_summary(
        ctx, "Publishes a run's output directory into PostgreSQL (schema pbc) in one\n"
             "transaction with COPY: the run for a PCT and reporting month replaces what an\n"
             "earlier run published for them; published totals are checked against the\n"
             "files before commit; every load is recorded with its files' SHA-256.\n"
             "Two publishes of the same PCT never run at once.  The connection is $PGURI\n"
             "or libpq's PG* variables (scripts/pg.sh env gives the private server's).");
    g_option_context_set_description(
        ctx, "Examples:\n"
             "  eval \"$(scripts/pg.sh env)\"; scripts/pg.sh start\n"
             "  pbc-publish --out out/2006-09\n"
             "  pbc-publish --no-wait --out out/2006-09      # fail if the PCT is busy\n"
             "  pbc-publish --migrate\n"
             "  pbc-publish --create-roles --ref ref/ --pct 5QA\n"
             "  pbc-publish --statements /tmp/st --pct 5QA --period 2006-09\n"
             "  PGURI=postgresql://loader@db/pbc pbc-publish -o out/2006-09\n"
             "\n"
             "Exit status: 0 ok, 2 usage error, 3 unreadable, malformed or world-readable\n"
             "output directory or reference file, 4 database error, PCT busy (--no-wait)\n"
             "or published totals not matching the files.  See docs/database.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return usage_error(error->message);
    if (opt_version) {
        printf("pbc-publish (pbc-pipeline) 1.0\n");
        return PBC_EXIT_OK;
    }
    if (opt_quiet)
        pbc_log_set_verbose(FALSE);
    if (argc > 1)
        return usage_error("too many arguments: give the output directory with --out DIR");
    if (opt_wait && opt_no_wait)
        return usage_error("--wait and --no-wait cannot be used together");
    if (opt_create_roles && opt_ref == NULL)
        return usage_error("--create-roles needs the reference directory (--ref DIR)");
    if (opt_ref != NULL && !opt_create_roles)
        return usage_error("--ref is only used with --create-roles");
    gboolean render_only = opt_out == NULL && opt_statements != NULL;
    if (opt_pct != NULL && !opt_create_roles && !render_only)
        return usage_error("--pct is only used with --create-roles or --statements; a run's "
                           "PCT is in run.ini");
    if (opt_period != NULL && !render_only)
        return usage_error("--period is only used with --statements without --out; a run's "
                           "period is in run.ini");
    if (render_only && (opt_pct == NULL || opt_period == NULL))
        return usage_error("--statements without --out needs --pct and --period");
    if (opt_out == NULL && !opt_migrate && !opt_create_roles && !render_only)
        return usage_error("nothing to do: give --out DIR, --migrate, --create-roles or "
                           "--statements DIR");

    /* The output directory is checked before the database is touched. */
    g_autoptr(PubRun) run = NULL;
    if (opt_out != NULL && (run = pub_run_open(opt_out, &error)) == NULL)
        return pbc_report(error);
    PGconn *conn = connect_and_migrate(&error);
    if (conn == NULL)
        return pbc_report(error);
    int rc = PBC_EXIT_OK;
    if (opt_create_roles && !create_roles(conn, &error))
        rc = pbc_report(error);
    if (rc == PBC_EXIT_OK && opt_out != NULL) {
        PubLoadOptions o = {.run = run, .wait = !opt_no_wait};
        PubLoadResult r;
        if (pub_load(conn, &o, &r, &error)) {
            pbc_info("published load %" G_GINT64_FORMAT ": %" G_GUINT64_FORMAT
                     " rows in %.1f s%s",
                     r.load_id, r.rows, r.seconds, r.replaced ? " (replacing an earlier load)" : "");
            if (opt_statements != NULL) {
                if (!render(conn, r.pct, r.period, opt_statements, &error)) {
                    pbc_warning("the run was published, but its statements were not rendered");
                    rc = pbc_report(error);
                }
            }
            pub_load_result_clear(&r);
        } else {
            rc = pbc_report(error);
        }
    } else if (rc == PBC_EXIT_OK && render_only && !render(conn, opt_pct, opt_period,
                                                           opt_statements, &error)) {
        rc = pbc_report(error);
    }
    PQfinish(conn);
    return rc;
}
