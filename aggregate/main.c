/*
 * pbc-aggregate: the fourth stage.  Turns the priced units of a run into
 * the SPEC §7.1 outputs for one PCT and reporting month: budget scope and
 * the high-cost split (R-G1, R-G2), statements (R-G3), benchmarks (R-G4),
 * data quality (R-G5), budgets when REF has none (R-B1 … R-B5), audits and
 * the reconciliation.  The work is in lib/aggregate.c.
 */
#include "aggregate.h"
#include "csv_in.h"
#include "csv_out.h"
#include "date.h"
#include "decimal.h"
#include "log.h"

#include <stdio.h>

static char *opt_ref, *opt_work, *opt_in, *opt_out, *opt_pct, *opt_period, *opt_show;
static gboolean opt_budgets_only, opt_quiet;

static GOptionEntry entries[] = {
    {"ref", 'r', 0, G_OPTION_ARG_FILENAME, &opt_ref, "reference directory (required)", "DIR"},
    {"work", 'w', 0, G_OPTION_ARG_FILENAME, &opt_work,
     "work directory holding priced.csv and the ingest counts (required)", "DIR"},
    {"output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "output directory (required)", "DIR"},
    {"period", 'P', 0, G_OPTION_ARG_STRING, &opt_period, "reporting month (required)", "YYYY-MM"},
    {"pct", 'p', 0, G_OPTION_ARG_STRING, &opt_pct, "the run's PCT (default: pct in pbc.conf)",
     "CODE"},
    {"in", 'i', 0, G_OPTION_ARG_FILENAME, &opt_in, "extracts directory, recorded in run.ini",
     "DIR"},
    {"budgets-only", 0, 0, G_OPTION_ARG_NONE, &opt_budgets_only,
     "set the budgets of PERIOD's financial year (R-B) and stop", NULL},
    {"show", 0, 0, G_OPTION_ARG_FILENAME, &opt_show,
     "print the statements of an output directory as a table, in pounds, and stop", "DIR"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "only errors and warnings", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

/* Pence as pounds with two decimals, from the integer (no floating point). */
static const char *
pounds(const char *pence, char *buf)
{
    int64_t v = 0;
    if (!decimal_parse(pence, 0, &v))
        return pence;
    return decimal_format(v, 2, buf);
}

/* --show: the statements table that `make run` ends with (issue 5). */
static int
show(const char *dir)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename(dir, "statements.csv", NULL);
    g_autoptr(CsvIn) in = csv_in_open(path, &error);
    if (in == NULL || !csv_in_read_header(in, &error))
        return pbc_report(error);
    static const char *const cols[] = {"practice_code", "budget_ytd", "spend_ytd", "variance_ytd",
                                       "forecast_outturn", "reporting_month", NULL};
    int idx[6];
    if (!csv_in_require(in, cols, idx, &error))
        return pbc_report(error);
    int rc, n = 0;
    char a[32], b[32], c[32], d[32];
    while ((rc = csv_in_next(in, &error)) > 0) {
        if (n++ == 0)
            printf("Statements for %s (pounds):\n  %-8s %14s %14s %14s %14s\n",
                   csv_in_field(in, idx[5]), "practice", "budget YTD", "spend YTD", "variance",
                   "forecast");
        printf("  %-8s %14s %14s %14s %14s\n", csv_in_field(in, idx[0]),
               pounds(csv_in_field(in, idx[1]), a), pounds(csv_in_field(in, idx[2]), b),
               pounds(csv_in_field(in, idx[3]), c), pounds(csv_in_field(in, idx[4]), d));
    }
    return rc < 0 ? pbc_report(error) : PBC_EXIT_OK;
}

int
main(int argc, char **argv)
{
    pbc_log_init(argv[0]);
    csv_out_install_signal_cleanup();
    g_autoptr(GError) error = NULL;
    g_autoptr(GOptionContext) ctx = g_option_context_new("- statements, budgets and reconciliation");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(
        ctx, "Example:\n  pbc-aggregate -r ref -w out/.work -o out -P 2006-09\n\n"
             "Exit status: 0 ok, 1 reconciliation failed, 2 usage, 3 unreadable or bad input.\n");
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        pbc_error("%s", error->message);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    if (opt_quiet)
        pbc_log_set_verbose(FALSE);
    if (opt_show)
        return show(opt_show);
    if (!opt_ref || !opt_work || !opt_out || !opt_period || argc > 1) {
        pbc_error(argc > 1 ? "unexpected argument \"%s\"" : "--ref, --work, --output-dir and "
                  "--period are required%s", argc > 1 ? argv[1] : "");
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    int month_key;
    if (!month_parse(opt_period, &month_key)) {
        pbc_error("invalid period \"%s\": expected a month as YYYY-MM", opt_period);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    AggregateParams p = {.ref_dir = opt_ref,
                         .work_dir = opt_work,
                         .in_dir = opt_in,
                         .out_dir = opt_out,
                         .pct = opt_pct,
                         .period = opt_period,
                         .budgets_only = opt_budgets_only};
    if (!aggregate_run(&p, &error)) {
        csv_out_cleanup_all();
        return pbc_report(error);
    }
    return PBC_EXIT_OK;
}
