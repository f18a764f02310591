/*
 * publish/statements/main.c: pbc-statements, the monthly statements
 * (SPEC §7.2, docs/statements.md).
 *
 * The step after publish: renders the statements of a PCT's reporting month
 * FROM THE DATABASE VIEWS (never from the run's CSV files), so that what
 * practices read is what finance reads:
 *
 *   ... pbc-publish ─▶ PostgreSQL (schema pbc) ─ pbc-statements ─▶ OUT/statements/
 *
 * OUT/statements/ receives a page per practice (<code>.html) with its
 * patient-level charges (<code>_charges.csv) and its units changed since the
 * previous run (<code>_changes.csv) beside it (mode 0600), a page per
 * consortium (consortium_<code>.html), the PCT's (pct.html) and the index
 * (index.html); every page says whether the month is provisional or closed
 * (docs/month_end.md).  The set replaces the previous one as a whole.
 *
 * Exit codes: 0 ok, 1 the published figures disagree with each other, 2
 * usage, 3 the output directory or run.ini, 4 database (connection, SQL, no
 * statements published for the month).
 */
#include "csv_out.h"
#include "date.h"
#include "log.h"
#include "pub_cli.h"
#include "pub_db.h"
#include "render_check.h"
#include "stmt_changes.h"
#include "stmt_charges.h"
#include "stmt_data.h"
#include "stmt_output.h"
#include "stmt_practice.h"
#include "stmt_summary.h"

#include <glib.h>
#include <stdio.h>

static char *opt_out = NULL;
static char *opt_pct = NULL;
static char *opt_period = NULL;
static PubCli cli;

static const GOptionEntry entries[] = {
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
     "the run's output directory: statements go to DIR/statements/ (required)", "DIR"},
    {"pct", 'p', 0, G_OPTION_ARG_STRING, &opt_pct,
     "the PCT whose statements to render (default: pct of DIR/run.ini)", "CODE"},
    {"period", 'P', 0, G_OPTION_ARG_STRING, &opt_period,
     "the reporting month (default: period of DIR/run.ini)", "YYYY-MM"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/*
 * Fills the PCT and period not given on the command line from OUT/run.ini
 * (group [run], keys pct and period, docs/outputs.md).  FALSE with
 * PBC_ERROR_IO (unreadable) or PBC_ERROR_FORMAT (a key missing).
 */
static gboolean
read_run_ini(GError **error)
{
    if (opt_pct != NULL && opt_period != NULL)
        return TRUE;
    g_autofree char *path = g_build_filename(opt_out, "run.ini", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) e = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                    "could not read file \"%s\": %s\n"
                    "hint: give the PCT and month with --pct CODE --period YYYY-MM",
                    path, e->message);
        return FALSE;
    }
    const char *keys[] = {"pct", "period"};
    char **opts[] = {&opt_pct, &opt_period};
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (*opts[i] != NULL)
            continue;
        char *v = g_key_file_get_string(kf, "run", keys[i], NULL);
        if (v != NULL)
            g_strstrip(v);
        if (v == NULL || *v == '\0') {
            g_free(v);
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "file \"%s\" has no key \"%s\" in group [run]", path, keys[i]);
            return FALSE;
        }
        *opts[i] = v;
    }
    return TRUE;
}

/*
 * Writes a rendered page after checking it is well-formed (render_check.h):
 * a page that a browser would have to guess at never reaches a practice.
 */
static gboolean
write_page(StmtOutput *out, const char *name, const GString *page, int mode, GError **error)
{
    g_autoptr(GError) e = NULL;
    if (!render_check_wellformed(page->str, "html", &e)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DATA, "rendered page \"%s\" is not well-formed: %s",
                    name, e->message);
        return FALSE;
    }
    return stmt_output_write(out, name, page, mode, error);
}

/* Renders and writes every page; the charges are already written. */
static gboolean
write_pages(const StmtData *d, StmtOutput *out, GError **error)
{
    for (guint i = 0; i < d->practices->len; i++) {
        const StmtPractice *p = g_ptr_array_index(d->practices, i);
        g_autoptr(GString) page = g_string_sized_new(64 * 1024);
        stmt_practice_render(page, d, p);
        /* The page names patients (the top ten): owner-only like the charges. */
        if (!write_page(out, p->file, page, 0600, error))
            return FALSE;
    }
    for (guint i = 0; i < d->consortia->len; i++) {
        const StmtSummary *s = g_ptr_array_index(d->consortia, i);
        g_autoptr(GString) page = g_string_sized_new(64 * 1024);
        stmt_summary_render_consortium(page, d, s);
        if (!write_page(out, s->file, page, 0644, error))
            return FALSE;
    }
    g_autoptr(GString) pct = g_string_sized_new(64 * 1024);
    stmt_summary_render_pct(pct, d);
    if (!write_page(out, d->total->file, pct, 0644, error))
        return FALSE;
    g_autoptr(GString) index = g_string_sized_new(64 * 1024);
    stmt_summary_render_index(index, d);
    return write_page(out, "index.html", index, 0644, error);
}

/* The whole run once connected: read, write into the working directory, swap it in. */
static gboolean
render(PGconn *conn, GError **error)
{
    g_autoptr(StmtData) d = stmt_data_load(conn, opt_pct, opt_period, error);
    if (d == NULL)
        return FALSE;
    StmtOutput *out = stmt_output_begin(opt_out, error);
    if (out == NULL)
        return FALSE;
    g_autofree char *final_dir = g_strdup(stmt_output_final_dir(out));
    if (!stmt_charges_write(conn, d, out, error) || !stmt_changes_write(conn, d, out, error) ||
        !write_pages(d, out, error) || !stmt_data_end(conn, error)) {
        stmt_output_abort(out);
        return FALSE;
    }
    if (!stmt_output_commit(out, error))
        return FALSE;
    uint64_t units = 0;
    for (guint i = 0; i < d->practices->len; i++)
        units += ((StmtPractice *)g_ptr_array_index(d->practices, i))->charge_rows;
    pbc_info("wrote %u practice statement%s (%" G_GUINT64_FORMAT " patient-level charges), %u "
             "consortium page%s, the PCT page and the index of PCT %s, %s to \"%s\"",
             d->practices->len, d->practices->len == 1 ? "" : "s", units, d->consortia->len,
             d->consortia->len == 1 ? "" : "s", d->pct, d->period, final_dir);
    g_autofree char *index = g_build_filename(final_dir, "index.html", NULL);
    pbc_info("index: %s", index);
    return TRUE;
}

int
main(int argc, char **argv)
{
    pbc_log_init(argv[0]);
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_option_context_set_summary(
        ctx, "Renders a PCT's monthly statements from the database (after pbc-publish): a page\n"
             "per practice with its patient-level charges and its units changed since the\n"
             "previous run as CSV, a page per consortium, the PCT's page and an index, into\n"
             "OUT/statements/.  Each page says whether the month is provisional or closed (by\n"
             "whom, when).  Self-contained HTML that prints on A4: no scripts, no external\n"
             "resources.  The connection is $PGURI or libpq's PG* variables (scripts/pg.sh\n"
             "env gives the private server's).");
    g_option_context_set_description(
        ctx, "Examples:\n"
             "  eval \"$(scripts/pg.sh env)\"; scripts/pg.sh start\n"
             "  pbc-publish --out out/2006-09 && pbc-statements --out out/2006-09\n"
             "  pbc-statements -o out/2006-09 --pct 5QA --period 2006-08   # an earlier month\n"
             "  PGURI=postgresql://finance@db/pbc pbc-statements -o out/2006-09\n"
             "\n"
             "Exit status: 0 ok, 1 published figures that do not add up, 2 usage error,\n"
             "3 unreadable output directory or run.ini, 4 database error or no statements\n"
             "published for the month.  See docs/statements.md.");
    int parsed = pub_cli_parse(ctx, entries, &cli, &argc, &argv);
    if (parsed >= 0)
        return parsed;
    g_autoptr(GError) error = NULL;
    if (argc > 1)
        return pub_cli_usage_error("too many arguments: give the output directory with --out DIR");
    if (opt_out == NULL)
        return pub_cli_usage_error("no output directory: give --out DIR");
    if (opt_period != NULL && !pub_cli_is_period(opt_period))
        return pub_cli_usage_error("invalid period \"%s\": expected YYYY-MM", opt_period);
    if (opt_pct != NULL && *g_strstrip(opt_pct) == '\0')
        return pub_cli_usage_error("--pct needs a PCT code");
    if (!read_run_ini(&error))
        return pbc_report(error);
    if (!pub_cli_is_period(opt_period)) {
        pbc_error("invalid period \"%s\" in run.ini: expected YYYY-MM", opt_period);
        return PBC_EXIT_INPUT;
    }

    PGconn *conn = pub_db_connect(cli.dbname, "pbc-statements", &error);
    if (conn == NULL)
        return pbc_report(error);
    csv_out_install_signal_cleanup();
    int rc = PBC_EXIT_OK;
    if (!render(conn, &error)) {
        csv_out_cleanup_all();
        rc = pbc_report(error);
    }
    PQfinish(conn);
    return rc;
}
