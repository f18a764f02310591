/*
 * stmt_charges.c: the patient-level charges files (see stmt_charges.h).
 */
#include "stmt_charges.h"

#include "log.h"
#include "stmt_csv.h"

/* The columns, in the view's names; sse_applied as 0/1 like priced_activity.csv. */
static const char *const header[] = {
    "practice_code",      "unit_id",
    "dataset",            "pod",
    "provider_code",      "nhs_number",
    "date_of_birth",      "attribution_method",
    "cds_practice_code",  "original_practice_code",
    "admission_date",     "discharge_date",
    "attribution_date",   "charge_date",
    "activity_month",     "fin_year",
    "hrg",                "hrg_name",
    "treatment_function_code", "referral_source",
    "los",                "excess_bed_days",
    "base_pence",         "excess_pence",
    "sse_applied",        "mff",
    "price_pence",        "price_method",
    "practice_pence",     "risk_pool_pence",
    NULL,
};
enum { COL_PRACTICE_PENCE = 28 };

static const char query[] =
    "SELECT practice_code, unit_id, dataset, pod, provider_code, nhs_number, date_of_birth,"
    " attribution_method, cds_practice_code, original_practice_code, admission_date,"
    " discharge_date, attribution_date, charge_date, activity_month, fin_year, hrg, hrg_name,"
    " treatment_function_code, referral_source, los, excess_bed_days, base_pence, excess_pence,"
    " CASE WHEN sse_applied THEN 1 WHEN NOT sse_applied THEN 0 END, mff, price_pence,"
    " price_method, practice_pence, risk_pool_pence"
    " FROM pbc.v_patient_charges WHERE pct_code = $1 AND period = $2"
    " ORDER BY practice_code COLLATE \"C\", charge_date, pod COLLATE \"C\", unit_id COLLATE \"C\"";

static const char *
charges_file(const StmtPractice *p)
{
    return p->charges_file;
}

static void
add_charge(StmtData *d, StmtPractice *p, const PGresult *res)
{
    (void)d;
    p->charge_rows++;
    p->charge_practice_pence += g_ascii_strtoll(PQgetvalue(res, 0, COL_PRACTICE_PENCE), NULL, 10);
}

gboolean
stmt_charges_write(PGconn *conn, StmtData *d, StmtOutput *out, GError **error)
{
    static const StmtCsvSpec spec = {
        .what = "the patient-level charges (pbc.v_patient_charges)",
        .sql = query,
        .header = header,
        .file_of = charges_file,
        .add_row = add_charge,
    };
    if (!stmt_csv_write(conn, d, out, &spec, error))
        return FALSE;
    /* The charges are the statement's spend, penny for penny (R-G3). */
    for (guint i = 0; i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        if (p->charge_practice_pence != p->fig.spend_ytd) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                        "the patient-level charges of practice %s add up to %" G_GINT64_FORMAT
                        " pence, not its spend_ytd %" G_GINT64_FORMAT,
                        p->code, p->charge_practice_pence, p->fig.spend_ytd);
            return FALSE;
        }
    }
    return TRUE;
}
