/*
 * price/main.c: pbc-price, the pricing stage (SPEC §6, R-P1 .. R-P9).
 *
 * The third stage of the pipeline: reads the intermediate unit file that
 * pbc-attribute wrote, fills every unit's pricing fields from the tariff
 * tables of the REF directory (lib/pricing.c), and writes the same format
 * back, owner-only (it holds NHS numbers).  Optionally writes the pricing
 * audit of all the units it priced.  Logs the units and pence by POD and
 * price method.
 *
 *   attributed ─ pbc-price ─▶ priced ─ pbc-aggregate ...
 *
 * Exit codes: 0 ok, 2 usage, 3 unreadable or malformed input or reference
 * data (docs/pricing.md).
 */
#include "csv_out.h"
#include "date.h"
#include "log.h"
#include "price_audit.h"
#include "pricing.h"
#include "tariff.h"
#include "unit.h"

#include <glib.h>
#include <stdio.h>

static char *opt_ref = NULL;
static char *opt_output = NULL;
static char *opt_audit_dir = NULL;
static char *opt_tariff_year = NULL;
static gboolean opt_quiet = FALSE;

static const GOptionEntry entries[] = {
    {"ref", 'r', 0, G_OPTION_ARG_FILENAME, &opt_ref,
     "reference directory holding tariff_apc.csv, mff.csv ... (required)", "DIR"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
     "priced unit file to write (default \"-\", standard output)", "FILE"},
    {"audit-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_audit_dir,
     "also write pricing_audit.csv, unpriced.csv and top_hrgs.csv of all units into DIR "
     "(default: none)", "DIR"},
    {"tariff-year", 'y', 0, G_OPTION_ARG_STRING, &opt_tariff_year,
     "price every unit with the tables of this financial year instead of its charge date's "
     "(budget setting, R-B1; PCT_HELD still by the charge date's year)", "YYYY/YY"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "log errors and warnings only", NULL},
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

/*
 * Prices every unit of input into a new output, left uncommitted in *out so
 * that main() renames it into place only when everything else succeeded.
 * Returns FALSE with error set (and *out NULL, nothing left behind).
 */
static gboolean
run(const char *input, const Tariffs *t, int tariff_year, PriceAudit *audit, CsvOut **out,
    GError **error)
{
    *out = NULL;
    g_autoptr(UnitIn) in = unit_in_open(input, error);
    if (in == NULL)
        return FALSE;
    CsvOut *o = unit_out_create(opt_output, error);
    if (o == NULL)
        return FALSE;
    Unit u;
    int rc;
    guint64 n = 0;
    while ((rc = unit_in_next(in, &u, error)) > 0) {
        /* PCT_HELD stays with the charge date's year even when re-pricing (R-B1). */
        int held_year =
            tariff_year > 0 && u.charge_date != PBC_NO_DATE ? fy_of_date(u.charge_date) : 0;
        pricing_price_in(t, &u, tariff_year, held_year);
        unit_write(o, &u);
        price_audit_add(audit, &u);
        if (++n % 65536 == 0)
            pbc_progress("pricing units", n, 0);
    }
    pbc_progress_done();
    if (rc < 0) {
        csv_out_abort(o);
        return FALSE;
    }
    *out = o;
    return TRUE;
}

int
main(int argc, char **argv)
{
    pbc_log_init(argv[0]);
    g_autoptr(GOptionContext) ctx = g_option_context_new("[INPUT]");
    g_option_context_set_summary(
        ctx, "Prices the units of an intermediate unit file by Payment by Results rules\n"
             "(national tariff with long stays, short-stay emergencies and the market\n"
             "forces factor; local prices; PCT-held exclusions) and writes them back with\n"
             "their pricing fields filled.  INPUT is the unit file pbc-attribute wrote\n"
             "(default \"-\", standard input), in the binary unit format or, from a file,\n"
             "its CSV form (PBC_UNITS_TEXT=1).");
    g_option_context_set_description(
        ctx, "Examples:\n"
             "  pbc-price -r ref/ -o var/priced.csv var/attributed.csv\n"
             "  pbc-attribute ... | pbc-price -r ref/ --audit-dir out/ > priced.csv\n"
             "  pbc-price -r ref/ -y 2007/08 -o repriced.csv var/priced-2006.csv\n"
             "\n"
             "Exit status: 0 ok, 2 usage error, 3 unreadable or malformed input or\n"
             "reference data.  See docs/pricing.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return usage_error(error->message);
    if (opt_quiet)
        pbc_log_set_verbose(FALSE);
    if (opt_ref == NULL)
        return usage_error("no reference directory given (-r DIR)");
    if (argc > 2)
        return usage_error("too many arguments: only one INPUT file");
    const char *input = argc == 2 ? argv[1] : "-";
    if (opt_output == NULL)
        opt_output = g_strdup("-");
    int tariff_year = 0;
    if (opt_tariff_year != NULL && !fy_parse(opt_tariff_year, &tariff_year)) {
        g_autofree char *msg =
            g_strdup_printf("invalid financial year \"%s\" (expected e.g. 2007/08)", opt_tariff_year);
        return usage_error(msg);
    }

    csv_out_install_signal_cleanup();
    g_autoptr(Tariffs) t = tariffs_load(opt_ref, &error);
    if (t == NULL)
        return pbc_report(error);
    g_autoptr(PriceAudit) audit = price_audit_new();
    CsvOut *out = NULL;
    if (!run(input, t, tariff_year, audit, &out, &error)
        || (opt_audit_dir != NULL && !price_audit_write(audit, opt_audit_dir, &error))) {
        csv_out_abort(out);
        csv_out_cleanup_all();
        return pbc_report(error);
    }
    if (!csv_out_commit(out, &error)) {
        csv_out_cleanup_all();
        return pbc_report(error);
    }
    pbc_info("read \"%s\", wrote \"%s\"", input, opt_output);
    price_audit_log(audit);
    g_free(opt_ref);
    g_free(opt_output);
    g_free(opt_audit_dir);
    g_free(opt_tariff_year);
    return PBC_EXIT_OK;
}
