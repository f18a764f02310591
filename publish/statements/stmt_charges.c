/*
 * stmt_charges.c: the patient-level charges files (see stmt_charges.h).
 */
#include "stmt_charges.h"

#include "csv_out.h"
#include "log.h"
#include "pub_db.h"

#include <string.h>

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
enum { COL_PRACTICE = 0, COL_PRACTICE_PENCE = 28 };

static const char query[] =
    "SELECT practice_code, unit_id, dataset, pod, provider_code, nhs_number, date_of_birth,"
    " attribution_method, cds_practice_code, original_practice_code, admission_date,"
    " discharge_date, attribution_date, charge_date, activity_month, fin_year, hrg, hrg_name,"
    " treatment_function_code, referral_source, los, excess_bed_days, base_pence, excess_pence,"
    " CASE WHEN sse_applied THEN 1 WHEN NOT sse_applied THEN 0 END, mff, price_pence,"
    " price_method, practice_pence, risk_pool_pence"
    " FROM pbc.v_patient_charges WHERE pct_code = $1 AND period = $2"
    " ORDER BY practice_code COLLATE \"C\", charge_date, pod COLLATE \"C\", unit_id COLLATE \"C\"";

const char *const *
stmt_charges_header(void)
{
    return header;
}

/* Opens the charges file of p in the working directory. */
static CsvOut *
open_file(StmtOutput *out, StmtPractice *p, GError **error)
{
    g_autofree char *path = stmt_output_path(out, p->charges_file);
    return csv_out_create(path, CSV_OUT_PATIENT, header, error);
}

/* Discards whatever libpq still has for the query (after an error). */
static void
drain(PGconn *conn)
{
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL)
        PQclear(r);
}

gboolean
stmt_charges_write(PGconn *conn, StmtData *d, StmtOutput *out, GError **error)
{
    g_autoptr(GHashTable) by_code = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        g_hash_table_insert(by_code, (gpointer)p->code, p);
    }
    const char *params[] = {d->pct, d->period};
    if (!PQsendQueryParams(conn, query, 2, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(conn)) {
        pub_db_set_error(error, conn, NULL, "could not read the patient-level charges");
        drain(conn);
        return FALSE;
    }
    g_autoptr(GHashTable) written = g_hash_table_new(g_str_hash, g_str_equal);
    CsvOut *csv = NULL;
    StmtPractice *cur = NULL;
    gboolean ok = TRUE;
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && ok) {
            const char *code = PQgetvalue(r, 0, COL_PRACTICE);
            if (cur == NULL || strcmp(cur->code, code) != 0) {
                if (csv != NULL && !csv_out_commit(g_steal_pointer(&csv), error))
                    ok = FALSE;
                cur = g_hash_table_lookup(by_code, code);
                if (ok && cur != NULL) {
                    g_hash_table_add(written, (gpointer)cur->code);
                    csv = open_file(out, cur, error);
                    ok = csv != NULL;
                }
            }
            if (ok && cur != NULL) {
                for (int c = 0; header[c] != NULL; c++) {
                    if (PQgetisnull(r, 0, c))
                        csv_out_blank(csv);
                    else
                        csv_out_str(csv, PQgetvalue(r, 0, c));
                }
                csv_out_end(csv);
                cur->charge_rows++;
                cur->charge_practice_pence +=
                    g_ascii_strtoll(PQgetvalue(r, 0, COL_PRACTICE_PENCE), NULL, 10);
            }
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && ok) {
            pub_db_set_error(error, conn, r, "could not read the patient-level charges");
            ok = FALSE;
        }
        PQclear(r);
    }
    if (csv != NULL) {
        if (ok)
            ok = csv_out_commit(g_steal_pointer(&csv), error);
        else
            csv_out_abort(g_steal_pointer(&csv));
    }
    /* A practice without units still gets its (header-only) file: the page links it. */
    for (guint i = 0; ok && i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        if (g_hash_table_contains(written, p->code))
            continue;
        csv = open_file(out, p, error);
        ok = csv != NULL && csv_out_commit(g_steal_pointer(&csv), error);
    }
    /* The charges are the statement's spend, penny for penny (R-G3). */
    for (guint i = 0; ok && i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        if (p->charge_practice_pence != p->fig.spend_ytd) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                        "the patient-level charges of practice %s add up to %" G_GINT64_FORMAT
                        " pence, not its spend_ytd %" G_GINT64_FORMAT,
                        p->code, p->charge_practice_pence, p->fig.spend_ytd);
            ok = FALSE;
        }
    }
    return ok;
}
