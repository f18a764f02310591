/*
 * pbc-aggregate: the fourth stage.  Turns the priced units of a run into
 * the SPEC §7.1 outputs for one PCT and reporting month: budget scope and
 * the high-cost split (R-G1, R-G2), statements (R-G3), benchmarks (R-G4),
 * data quality (R-G5), budgets when REF has none (R-B1 … R-B5), audits and
 * the reconciliation.  The work is in lib/aggregate.c.
 */
#include "aggregate.h"
#include "csv_out.h"
#include "log.h"

static char *opt_ref, *opt_work, *opt_in, *opt_out, *opt_pct, *opt_period;
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
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "only errors and warnings", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

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
    if (!opt_ref || !opt_work || !opt_out || !opt_period || argc > 1) {
        pbc_error(argc > 1 ? "unexpected argument \"%s\"" : "--ref, --work, --output-dir and "
                  "--period are required%s", argc > 1 ? argv[1] : "");
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
