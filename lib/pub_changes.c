/*
 * pub_changes.c: storing and writing change reports and prior-month
 * adjustments (see pub_changes.h; the rules are in 011_month_end.sql).
 */
#include "pub_changes.h"

#include "csv_out.h"
#include "log.h"
#include "pub_csv.h"
#include "pub_db.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* The columns of changes.csv after from_load_id, to_load_id (docs/month_end.md). */
#define CHANGE_COLS                                                                             \
    "change, reason, detail, dataset, unit_id, cds_unique_id, provider_code, nhs_number,"       \
    " from_practice_code, to_practice_code, from_budget_scope, to_budget_scope, from_pod,"      \
    " to_pod, from_activity_month, to_activity_month, from_hrg, to_hrg, from_price_method,"     \
    " to_price_method, from_price_pence, to_price_pence, delta_price_pence,"                    \
    " from_practice_pence, to_practice_pence, delta_practice_pence, from_risk_pool_pence,"      \
    " to_risk_pool_pence, delta_risk_pool_pence, source_file, source_line"

/* A practice's rows together; a re-attributed unit under the practice it went to. */
#define CHANGE_ORDER                                                                            \
    " ORDER BY coalesce(to_practice_code, from_practice_code) COLLATE \"C\" NULLS LAST,"        \
    " change, dataset, unit_id COLLATE \"C\""

#define PRACTICE_COLS                                                                           \
    "practice_code, pod, from_units, to_units, delta_units, from_cost_pence, to_cost_pence,"    \
    " delta_cost_pence, from_practice_pence, to_practice_pence, delta_practice_pence,"          \
    " from_risk_pool_pence, to_risk_pool_pence, delta_risk_pool_pence"

#define PRACTICE_ORDER " ORDER BY practice_code COLLATE \"C\", pod COLLATE \"C\""

#define ADJUSTMENT_COLS                                                                         \
    "practice_code, activity_month, closed_period, closed_load_id, closed_units, units,"        \
    " delta_units, closed_cost_pence, cost_pence, delta_cost_pence, closed_practice_pence,"     \
    " practice_pence, delta_practice_pence, closed_risk_pool_pence, risk_pool_pence,"           \
    " delta_risk_pool_pence"

/* A result's integer value (0 for NULL). */
static gint64
int_at(const PGresult *r, int row, int col)
{
    return g_ascii_strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* ---- stored with a publish ------------------------------------------------ */

gboolean
pub_changes_record(PGconn *conn, const char *load_id, gint64 from_load, PubChangeSummary *s,
                   GError **error)
{
    memset(s, 0, sizeof *s);
    s->to_load = g_ascii_strtoll(load_id, NULL, 10);
    s->from_load = from_load;
    char from[32], report[32];
    g_snprintf(from, sizeof from, "%" G_GINT64_FORMAT, from_load);
    const char *p1[] = {load_id, from_load > 0 ? from : NULL};
    PGresult *res = pub_db_query(conn, "could not record the change report",
                                 "INSERT INTO pbc.change_reports (pct_code, period, from_load_id,"
                                 " to_load_id) SELECT pct_code, period, $2, load_id"
                                 " FROM pbc.loads WHERE load_id = $1 RETURNING report_id",
                                 2, p1, error);
    if (res == NULL)
        return FALSE;
    s->report_id = int_at(res, 0, 0);
    PQclear(res);
    g_snprintf(report, sizeof report, "%" G_GINT64_FORMAT, s->report_id);

    if (from_load > 0) {
        /* The tables' columns after the keys are the functions' (011_month_end.sql). */
        const char *p2[] = {report, from, load_id};
        if (!pub_db_exec(conn, "could not compare the units with the earlier run",
                         "INSERT INTO pbc.changes SELECT $1::bigint, l.pct_code, l.period,"
                         " $2::bigint, $3::bigint, c.*"
                         " FROM pbc.loads l, pbc.unit_changes($2::bigint, $3::bigint) c"
                         " WHERE l.load_id = $3::bigint",
                         3, p2, error)
            || !pub_db_exec(conn, "could not compare the practices with the earlier run",
                            "INSERT INTO pbc.changes_by_practice SELECT $1::bigint, l.pct_code,"
                            " l.period, $2::bigint, $3::bigint, c.*"
                            " FROM pbc.loads l, pbc.practice_changes($2::bigint, $3::bigint) c"
                            " WHERE l.load_id = $3::bigint",
                            3, p2, error))
            return FALSE;
        const char *p3[] = {report};
        res = pub_db_query(
            conn, "could not total the change report",
            "UPDATE pbc.change_reports r SET (units_added, units_removed, units_repriced,"
            " units_reattributed, units_redated, delta_price_pence, delta_practice_pence) ="
            " (SELECT count(*) FILTER (WHERE change = 'ADDED'),"
            "  count(*) FILTER (WHERE change = 'REMOVED'),"
            "  count(*) FILTER (WHERE change = 'REPRICED'),"
            "  count(*) FILTER (WHERE change = 'REATTRIBUTED'),"
            "  count(*) FILTER (WHERE change = 'REDATED'),"
            "  coalesce(sum(delta_price_pence), 0), coalesce(sum(delta_practice_pence), 0)"
            "  FROM pbc.changes c WHERE c.report_id = r.report_id)"
            " WHERE r.report_id = $1"
            " RETURNING units_added, units_removed, units_repriced, units_reattributed,"
            " units_redated, delta_price_pence, delta_practice_pence,"
            " (SELECT count(*) FROM pbc.changes_by_practice x WHERE x.report_id = $1::bigint)",
            1, p3, error);
        if (res == NULL)
            return FALSE;
        s->added = (guint64)int_at(res, 0, 0);
        s->removed = (guint64)int_at(res, 0, 1);
        s->repriced = (guint64)int_at(res, 0, 2);
        s->reattributed = (guint64)int_at(res, 0, 3);
        s->redated = (guint64)int_at(res, 0, 4);
        s->delta_price_pence = int_at(res, 0, 5);
        s->delta_practice_pence = int_at(res, 0, 6);
        s->practice_rows = (guint64)int_at(res, 0, 7);
        s->units = s->added + s->removed + s->repriced + s->reattributed + s->redated;
        PQclear(res);
    }

    /* Late data for closed months: against the loads that signed them off. */
    const char *p4[] = {load_id};
    res = pub_db_query(conn, "could not compute the prior-month adjustments",
                       "WITH ins AS (INSERT INTO pbc.prior_month_adjustments"
                       " SELECT $1::bigint, l.pct_code, l.period, a.*"
                       " FROM pbc.loads l, pbc.prior_month_adjustments($1::bigint) a"
                       " WHERE l.load_id = $1::bigint RETURNING delta_practice_pence)"
                       " SELECT count(*), coalesce(sum(delta_practice_pence), 0) FROM ins",
                       1, p4, error);
    if (res == NULL)
        return FALSE;
    s->adjustments = (guint64)int_at(res, 0, 0);
    s->adjustment_pence = int_at(res, 0, 1);
    PQclear(res);
    return TRUE;
}

gboolean
pub_changes_write_run(PGconn *conn, gint64 load_id, const char *dir, GError **error)
{
    char id[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, load_id);
    const char *params[] = {id};
    g_autofree char *changes = g_build_filename(dir, PUB_CHANGES_CSV, NULL);
    g_autofree char *practices = g_build_filename(dir, PUB_CHANGES_BY_PRACTICE_CSV, NULL);
    g_autofree char *adjustments = g_build_filename(dir, PUB_PRIOR_MONTH_CSV, NULL);
    /* One snapshot: the three files describe the same publication. */
    if (!pub_db_exec(conn, "could not read the change report",
                     "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, error))
        return FALSE;
    gboolean ok =
        pub_csv_write_query(conn, "could not read the change report",
                            "SELECT from_load_id, to_load_id, " CHANGE_COLS " FROM pbc.changes"
                            " WHERE report_id = (SELECT report_id FROM pbc.change_reports"
                            "                     WHERE to_load_id = $1::bigint)" CHANGE_ORDER,
                            1, params, changes, CSV_OUT_PATIENT, NULL, error)
        && pub_csv_write_query(conn, "could not read the change report",
                               "SELECT from_load_id, to_load_id, " PRACTICE_COLS
                               " FROM pbc.changes_by_practice"
                               " WHERE report_id = (SELECT report_id FROM pbc.change_reports"
                               "                     WHERE to_load_id = $1::bigint)"
                               PRACTICE_ORDER,
                               1, params, practices, CSV_OUT_PUBLIC, NULL, error)
        && pub_csv_write_query(conn, "could not read the prior-month adjustments",
                               "SELECT " ADJUSTMENT_COLS " FROM pbc.prior_month_adjustments"
                               " WHERE load_id = $1::bigint"
                               " ORDER BY practice_code COLLATE \"C\", activity_month",
                               1, params, adjustments, CSV_OUT_PUBLIC, NULL, error);
    pub_db_rollback(conn);
    return ok;
}

/* ---- on request ------------------------------------------------------------ */

typedef struct {
    gint64 id;
    char pct[64];
    char period[16];
    char fin_year[16];
    gint64 replaces;
} LoadInfo;

/* A load's columns as resolve() reads them; the WHERE condition follows. */
#define LOAD_SELECT                                                                             \
    "SELECT l.load_id, l.pct_code, l.period, l.fin_year, l.status,"                             \
    " coalesce(l.replaces_load_id, 0),"                                                         \
    " to_char(l.units_pruned_at, 'YYYY-MM-DD HH24:MI:SS TZ'),"                                  \
    " EXISTS (SELECT 1 FROM pbc.load_units u WHERE u.load_id = l.load_id)"                      \
    " OR l.started_at >= (SELECT applied_at FROM pbc.schema_migrations"                         \
    "                      WHERE version = '011')"                                              \
    " FROM pbc.loads l WHERE "

/* Finds a load by id or run id and checks it has a unit history to compare. */
static gboolean
resolve(PGconn *conn, const char *ref, LoadInfo *info, GError **error)
{
    memset(info, 0, sizeof *info);
    gboolean is_id = *ref != '\0' && strspn(ref, "0123456789") == strlen(ref) && strlen(ref) < 19;
    if (!is_id && !g_uuid_string_is_valid(ref)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "\"%s\" is neither a load id nor a run id\n"
                    "hint: load ids and run ids are in pbc.v_loads", ref);
        return FALSE;
    }
    const char *params[] = {ref};
    PGresult *res = pub_db_query(conn, "could not read the load",
                                 is_id ? LOAD_SELECT "l.load_id = $1::bigint"
                                       : LOAD_SELECT "l.run_id = $1::uuid",
                                 1, params, error);
    if (res == NULL)
        return FALSE;
    gboolean ok = FALSE;
    if (PQntuples(res) == 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB, "no load %s\nhint: the loads are in pbc.v_loads",
                    ref);
    } else if (strcmp(PQgetvalue(res, 0, 4), "OK") != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB, "load %s failed: it published nothing",
                    PQgetvalue(res, 0, 0));
    } else if (!PQgetisnull(res, 0, 6)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "the units of load %s were pruned at %s\n"
                    "detail: a replaced load's units are kept for --keep-history days; a current "
                    "or closed load's for good",
                    PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 6));
    } else if (strcmp(PQgetvalue(res, 0, 7), "t") != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "load %s has no unit history\n"
                    "detail: it was replaced before the units of every load were kept "
                    "(migration 011)",
                    PQgetvalue(res, 0, 0));
    } else {
        info->id = int_at(res, 0, 0);
        g_strlcpy(info->pct, PQgetvalue(res, 0, 1), sizeof info->pct);
        g_strlcpy(info->period, PQgetvalue(res, 0, 2), sizeof info->period);
        g_strlcpy(info->fin_year, PQgetvalue(res, 0, 3), sizeof info->fin_year);
        info->replaces = int_at(res, 0, 5);
        ok = TRUE;
    }
    PQclear(res);
    return ok;
}

/* The current publication of (pct, period), as a load id string in buf. */
static gboolean
current_load(PGconn *conn, const char *pct, const char *period, char *buf, gsize len,
             GError **error)
{
    const char *params[] = {pct, period};
    PGresult *res = pub_db_query(conn, "could not read the month's publication",
                                 "SELECT load_id FROM pbc.loads WHERE pct_code = $1"
                                 " AND period = $2 AND status = 'OK' AND replaced_by IS NULL"
                                 " ORDER BY load_id DESC LIMIT 1",
                                 2, params, error);
    if (res == NULL)
        return FALSE;
    gboolean found = PQntuples(res) > 0;
    if (found)
        g_strlcpy(buf, PQgetvalue(res, 0, 0), len);
    else
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB, "nothing is published for PCT %s for %s",
                    pct, period);
    PQclear(res);
    return found;
}

static gboolean
compare_in_snapshot(PGconn *conn, const PubChangesRequest *req, const char *dir,
                    PubChangeSummary *s, GError **error)
{
    char to_buf[32];
    const char *to_ref = req->to;
    if (to_ref == NULL) {
        if (!current_load(conn, req->pct, req->period, to_buf, sizeof to_buf, error))
            return FALSE;
        to_ref = to_buf;
    }
    LoadInfo to, from;
    if (!resolve(conn, to_ref, &to, error))
        return FALSE;
    char from_buf[32];
    const char *from_ref = req->from;
    if (from_ref == NULL) {
        if (to.replaces == 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                        "load %" G_GINT64_FORMAT " is the first publication of PCT %s for %s: "
                        "there is no earlier run to compare it with\n"
                        "hint: name the earlier load with --from",
                        to.id, to.pct, to.period);
            return FALSE;
        }
        g_snprintf(from_buf, sizeof from_buf, "%" G_GINT64_FORMAT, to.replaces);
        from_ref = from_buf;
    }
    if (!resolve(conn, from_ref, &from, error))
        return FALSE;
    if (strcmp(from.pct, to.pct) != 0 || strcmp(from.fin_year, to.fin_year) != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "cannot compare load %" G_GINT64_FORMAT " (PCT %s, %s) with load %"
                    G_GINT64_FORMAT " (PCT %s, %s)\n"
                    "detail: a change report compares runs of one PCT in one financial year",
                    from.id, from.pct, from.period, to.id, to.pct, to.period);
        return FALSE;
    }
    if (strcmp(from.period, to.period) != 0)
        pbc_info("loads of %s and %s: comparing the months up to %s", from.period, to.period,
                 strcmp(from.period, to.period) < 0 ? from.period : to.period);
    s->from_load = from.id;
    s->to_load = to.id;
    char f[32], t[32];
    g_snprintf(f, sizeof f, "%" G_GINT64_FORMAT, from.id);
    g_snprintf(t, sizeof t, "%" G_GINT64_FORMAT, to.id);
    const char *params[] = {f, t};
    g_autofree char *changes = g_build_filename(dir, PUB_CHANGES_CSV, NULL);
    g_autofree char *practices = g_build_filename(dir, PUB_CHANGES_BY_PRACTICE_CSV, NULL);
    return pub_csv_write_query(conn, "could not compare the units of the two runs",
                               "SELECT $1::bigint AS from_load_id, $2::bigint AS to_load_id, "
                               CHANGE_COLS " FROM pbc.unit_changes($1::bigint, $2::bigint)"
                               CHANGE_ORDER,
                               2, params, changes, CSV_OUT_PATIENT, &s->units, error)
           && pub_csv_write_query(conn, "could not compare the practices of the two runs",
                                  "SELECT $1::bigint AS from_load_id, $2::bigint AS to_load_id, "
                                  PRACTICE_COLS
                                  " FROM pbc.practice_changes($1::bigint, $2::bigint)"
                                  PRACTICE_ORDER,
                                  2, params, practices, CSV_OUT_PUBLIC, &s->practice_rows,
                                  error);
}

gboolean
pub_changes_compare(PGconn *conn, const PubChangesRequest *req, const char *dir,
                    PubChangeSummary *s, GError **error)
{
    memset(s, 0, sizeof *s);
    if (g_mkdir_with_parents(dir, 0700) != 0 || chmod(dir, 0700) != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not create directory \"%s\": %s", dir,
                    g_strerror(errno));
        return FALSE;
    }
    if (!pub_db_exec(conn, "could not read the loads",
                     "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, error))
        return FALSE;
    gboolean ok = compare_in_snapshot(conn, req, dir, s, error);
    pub_db_rollback(conn);
    return ok;
}
