/*
 * stmt_changes.c: the practices' changes files (see stmt_changes.h).
 */
#include "stmt_changes.h"

#include "log.h"
#include "stmt_csv.h"

#include <string.h>

/*
 * The view's columns but its (pct_code, period): the practice first, then
 * the change report's.  from_/to_practice_pence are this practice's side
 * only (0 where the unit was not its PRACTICE unit), so that
 * delta_spend_pence = to - from is the change of its spend_ytd.
 */
static const char *const header[] = {
    "practice_code",      "from_load_id",        "to_load_id",
    "change",             "reason",              "detail",
    "dataset",            "unit_id",             "cds_unique_id",
    "provider_code",      "nhs_number",          "from_practice_code",
    "to_practice_code",   "from_budget_scope",   "to_budget_scope",
    "from_pod",           "to_pod",              "from_activity_month",
    "to_activity_month",  "from_price_pence",    "to_price_pence",
    "delta_price_pence",  "from_practice_pence", "to_practice_pence",
    "delta_spend_pence",  "source_file",         "source_line",
    NULL,
};
enum { COL_CHANGE = 3, COL_REASON = 4, COL_DELTA_SPEND = 24 };

/* Grouped as changes.csv is (docs/month_end.md): by practice, then change, then unit. */
static const char query[] =
    "SELECT practice_code, from_load_id, to_load_id, change, reason, detail, dataset, unit_id,"
    " cds_unique_id, provider_code, nhs_number, from_practice_code, to_practice_code,"
    " from_budget_scope, to_budget_scope, from_pod, to_pod, from_activity_month,"
    " to_activity_month, from_price_pence, to_price_pence, delta_price_pence,"
    " from_practice_pence, to_practice_pence, delta_spend_pence, source_file, source_line"
    " FROM pbc.v_statement_changes WHERE pct_code = $1 AND period = $2"
    " ORDER BY practice_code COLLATE \"C\","
    " array_position(ARRAY['ADDED','REMOVED','REATTRIBUTED','REPRICED','REDATED'], change),"
    " reason COLLATE \"C\", dataset COLLATE \"C\", unit_id COLLATE \"C\"";

static const char *
changes_file(const StmtPractice *p)
{
    return p->changes_file;
}

/* Counts the row into the practice's totals and its (change, reason) line. */
static void
add_change(StmtData *d, StmtPractice *p, const PGresult *res)
{
    int64_t delta = g_ascii_strtoll(PQgetvalue(res, 0, COL_DELTA_SPEND), NULL, 10);
    const char *change = PQgetvalue(res, 0, COL_CHANGE);
    const char *reason = PQgetisnull(res, 0, COL_REASON) ? NULL : PQgetvalue(res, 0, COL_REASON);
    p->change_rows++;
    p->change_delta_spend += delta;
    guint i = 0;
    while (i < p->change_reasons->len) {
        const StmtChangeReason *c = &g_array_index(p->change_reasons, StmtChangeReason, i);
        if (strcmp(c->change, change) == 0 && g_strcmp0(c->reason, reason) == 0)
            break;
        i++;
    }
    if (i == p->change_reasons->len) {
        StmtChangeReason c = {
            .change = g_string_chunk_insert_const(d->strings, change),
            .reason = reason ? g_string_chunk_insert_const(d->strings, reason) : NULL,
        };
        g_array_append_val(p->change_reasons, c);
    }
    StmtChangeReason *c = &g_array_index(p->change_reasons, StmtChangeReason, i);
    c->units++;
    c->delta_spend += delta;
}

gboolean
stmt_changes_write(PGconn *conn, StmtData *d, StmtOutput *out, GError **error)
{
    static const StmtCsvSpec spec = {
        .what = "the changes since the previous run (pbc.v_statement_changes)",
        .sql = query,
        .header = header,
        .file_of = changes_file,
        .add_row = add_change,
    };
    if (!stmt_csv_write(conn, d, out, &spec, error))
        return FALSE;
    /* The units behind the statement's change of spend, unit for unit and penny for penny. */
    for (guint i = 0; i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        const StmtMonthEnd *e = &p->month_end;
        if ((int64_t)p->change_rows != e->units_changed ||
            p->change_delta_spend != e->delta_spend) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                        "the changes since the previous run of practice %s are %" G_GUINT64_FORMAT
                        " units and %" G_GINT64_FORMAT " pence, not its %" G_GINT64_FORMAT
                        " units and %" G_GINT64_FORMAT " pence (pbc.v_statement_status)",
                        p->code, p->change_rows, p->change_delta_spend, e->units_changed,
                        e->delta_spend);
            return FALSE;
        }
    }
    return TRUE;
}
