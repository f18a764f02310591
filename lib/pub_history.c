/*
 * pub_history.c: the unit-level history of loads (see pub_history.h).
 */
#include "pub_history.h"

#include "log.h"
#include "pub_db.h"
#include "pub_file.h"
#include "pub_tables.h"

#include <string.h>

/* INSERT ... SELECT of the month's priced_activity rows, by the loader's column list. */
static char *
copy_units_sql(void)
{
    const PubTable *t = pub_table_for_file("priced_activity.csv");
    GString *cols = g_string_new("load_id, pct_code, period");
    for (guint i = 0; i < t->ncols; i++)
        g_string_append_printf(cols, ", \"%s\"", t->cols[i].db);
    char *sql = g_strdup_printf("INSERT INTO pbc.load_units (%s) SELECT %s FROM pbc.priced_activity"
                                " WHERE pct_code = $1 AND period = $2",
                                cols->str, cols->str);
    g_string_free(cols, TRUE);
    return sql;
}

gboolean
pub_history_save(PGconn *conn, const char *load_id, const char *pct, const char *period,
                 const char *deletions_csv, guint64 *units, guint64 *deletions, GError **error)
{
    *units = *deletions = 0;
    g_autofree char *sql = copy_units_sql();
    const char *params[] = {pct, period};
    PGresult *res = pub_db_query(conn, "could not keep the load's units", sql, 2, params, error);
    if (res == NULL)
        return FALSE;
    *units = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    if (deletions_csv == NULL)
        return TRUE;
    const char *prefix[] = {load_id, pct, period};
    PubFileStats st;
    gboolean ok = pub_file_copy(conn, deletions_csv, pub_deletions_table(), "pbc.load_deletions",
                                prefix, 3, "load_id, pct_code, period", &st, error);
    *deletions = st.rows;
    pub_file_stats_clear(&st);
    return ok;
}

gboolean
pub_history_prune(PGconn *conn, const char *pct, guint keep_days, guint *pruned, GError **error)
{
    *pruned = 0;
    if (keep_days == 0)
        return TRUE;
    char days[16];
    g_snprintf(days, sizeof days, "%u", keep_days);
    const char *params[] = {pct, days};
    /* A closed load is the baseline of prior-month adjustments: kept for good. */
    PGresult *res = pub_db_query(
        conn, "could not prune the history of old loads",
        "WITH gone AS ("
        "  UPDATE pbc.loads l SET units_pruned_at = now()"
        "   WHERE l.pct_code = $1 AND l.status = 'OK' AND l.units_pruned_at IS NULL"
        "     AND l.replaced_by IS NOT NULL"
        "     AND l.started_at < now() - make_interval(days => $2::integer)"
        "     AND NOT EXISTS (SELECT 1 FROM pbc.period_events e"
        "                      WHERE e.load_id = l.load_id AND e.event = 'CLOSE')"
        "     AND NOT EXISTS (SELECT 1 FROM pbc.periods p"
        "                      WHERE p.current_load_id = l.load_id"
        "                         OR p.closed_load_id = l.load_id)"
        "  RETURNING l.load_id),"
        " units AS (DELETE FROM pbc.load_units u USING gone WHERE u.load_id = gone.load_id),"
        " dels AS (DELETE FROM pbc.load_deletions d USING gone WHERE d.load_id = gone.load_id)"
        " SELECT count(*) FROM gone",
        2, params, error);
    if (res == NULL)
        return FALSE;
    *pruned = (guint)g_ascii_strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return TRUE;
}
