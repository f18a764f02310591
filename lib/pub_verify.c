/*
 * pub_verify.c: totals checks before commit (see pub_verify.h).
 *
 * Each SQL check returns zero rows (not applicable: e.g. reconciliation.csv
 * has no such check) or one row (expected, actual); the check passes when
 * the two are equal as text (sums are numeric, counts bigint: both print as
 * plain integers).  $1 is the PCT, $2 the period.
 */
#include "pub_verify.h"

#include "log.h"
#include "pub_copy.h"
#include "pub_db.h"

#include <string.h>

/* Σ expr over the run's rows of table t; COUNT over them. */
#define RUN_ROWS(t) " FROM pbc." t " WHERE pct_code = $1 AND period = $2"
#define SUM(t, expr) "(SELECT coalesce(sum(" expr "), 0)" RUN_ROWS(t) ")"
#define SUM_IF(t, expr, cond) "(SELECT coalesce(sum(" expr "), 0)" RUN_ROWS(t) " AND " cond ")"
#define COUNT_IF(t, cond) "(SELECT count(*)" RUN_ROWS(t) " AND " cond ")"
#define PRACTICE "budget_scope = 'PRACTICE'"

/*
 * priced_activity is the one large table: it is scanned once, into the
 * temporary table pub_pa (its rows grouped by practice, month, POD and
 * scope, with n = the count and every integer column summed under its own
 * name), and every check reads that.
 */
#define PA_SUM(expr) "(SELECT coalesce(sum(" expr "), 0) FROM pg_temp.pub_pa)"
#define PA_SUM_IF(expr, cond) "(SELECT coalesce(sum(" expr "), 0) FROM pg_temp.pub_pa WHERE " cond ")"

/* reconciliation.csv's row for a check, one side against the database. */
#define RECON(check, side, db)                                                            \
    "SELECT r." side "_value, " db " FROM pbc.reconciliation r"                           \
    " WHERE r.pct_code = $1 AND r.period = $2 AND r.check_name = '" check "'"

typedef struct {
    const char *name;
    const char *sql;
} Check;

static const Check checks[] = {
    /* --- the files against each other (R-G2, R-G3) --- */
    {"statements: sum of spend_ytd = sum of priced_activity practice_pence",
     "SELECT " SUM("statements", "spend_ytd") ", " PA_SUM("practice_pence")},
    {"statements: sum of risk_pool_ytd = sum of priced_activity risk_pool_pence",
     "SELECT " SUM("statements", "risk_pool_ytd") ", " PA_SUM("risk_pool_pence")},
    {"practice_month: sum of practice_pence = sum of statements spend_ytd",
     "SELECT " SUM("statements", "spend_ytd") ", " SUM("practice_month", "practice_pence")},
    {"practice_month: sum of risk_pool_pence = sum of statements risk_pool_ytd",
     "SELECT " SUM("statements", "risk_pool_ytd") ", " SUM("practice_month", "risk_pool_pence")},
    {"practice_month: sum of cost_pence = price_pence of PRACTICE units",
     "SELECT " PA_SUM_IF("price_pence", PRACTICE) ", "
         SUM("practice_month", "cost_pence")},
    {"practice_month: sum of units = number of PRACTICE units",
     "SELECT " PA_SUM_IF("n", PRACTICE) ", " SUM("practice_month", "units")},
    {"statement_breakdown: POD practice_pence adds up to statements spend_ytd",
     "SELECT " SUM("statements", "spend_ytd") ", "
         SUM_IF("statement_breakdown", "practice_pence", "breakdown = 'POD'")},
    {"statement_breakdown: PROVIDER practice_pence adds up to statements spend_ytd",
     "SELECT " SUM("statements", "spend_ytd") ", "
         SUM_IF("statement_breakdown", "practice_pence", "breakdown = 'PROVIDER'")},
    {"practices whose spend_ytd or risk_pool_ytd differs from their units",
     "SELECT 0, count(*) FROM"
     " (SELECT practice_code, spend_ytd, risk_pool_ytd" RUN_ROWS("statements") ") s"
     " FULL JOIN (SELECT practice_code, sum(practice_pence) AS pp, sum(risk_pool_pence) AS rp"
     " FROM pg_temp.pub_pa WHERE " PRACTICE " GROUP BY practice_code) a USING (practice_code)"
     " WHERE coalesce(s.spend_ytd, -1) <> coalesce(a.pp, 0)"
     "    OR coalesce(s.risk_pool_ytd, -1) <> coalesce(a.rp, 0)"},
    {"practice_month rows that differ from the units by practice, month and POD",
     "SELECT 0, count(*) FROM"
     " (SELECT practice_code, activity_month, pod, units, cost_pence, practice_pence,"
     "         risk_pool_pence" RUN_ROWS("practice_month") ") m"
     " FULL JOIN (SELECT practice_code, activity_month, pod, sum(n) AS units,"
     "            sum(price_pence) AS cost_pence, sum(practice_pence) AS practice_pence,"
     "            sum(risk_pool_pence) AS risk_pool_pence FROM pg_temp.pub_pa"
     " WHERE " PRACTICE " GROUP BY 1, 2, 3) a USING (practice_code, activity_month, pod)"
     " WHERE (m.units, m.cost_pence, m.practice_pence, m.risk_pool_pence)"
     "       IS DISTINCT FROM (a.units, a.cost_pence, a.practice_pence, a.risk_pool_pence)"},
    {"PRACTICE units whose practice_pence + risk_pool_pence is not price_pence",
     "SELECT 0, " PA_SUM("bad_split")},
    {"units outside PRACTICE scope with practice or risk-pool pence",
     "SELECT 0, " PA_SUM("bad_scope")},
    {"statements whose annual_budget differs from budgets.csv",
     "SELECT 0, count(*) FROM pbc.statements s JOIN pbc.budgets b"
     " USING (pct_code, period, practice_code, fin_year)"
     " WHERE s.pct_code = $1 AND s.period = $2 AND s.annual_budget <> b.annual_budget"},
    /* --- reconciliation.csv --- */
    {"reconciliation.csv: checks not OK",
     "SELECT 0, " COUNT_IF("reconciliation", "status <> 'OK'")},
    {"reconciliation.csv: rows where left - right is not difference",
     "SELECT 0, " COUNT_IF("reconciliation",
                           "left_value - right_value IS DISTINCT FROM difference")},
    {"reconciliation.csv priced_activity_rows_eq_units_in_range: left = priced_activity rows",
     RECON("priced_activity_rows_eq_units_in_range", "left",
           PA_SUM("n"))},
    {"reconciliation.csv price_eq_practice_plus_risk_pool_plus_out_of_scope: left = sum of price_pence",
     RECON("price_eq_practice_plus_risk_pool_plus_out_of_scope", "left",
           PA_SUM("price_pence"))},
    {"reconciliation.csv practice_scope_price_eq_practice_plus_risk_pool: left = PRACTICE price_pence",
     RECON("practice_scope_price_eq_practice_plus_risk_pool", "left",
           PA_SUM_IF("price_pence", PRACTICE))},
    {"reconciliation.csv practice_month_units_eq_practice_units: left = practice_month units",
     RECON("practice_month_units_eq_practice_units", "left", SUM("practice_month", "units"))},
    {"reconciliation.csv practice_month_cost_eq_practice_price: left = practice_month cost_pence",
     RECON("practice_month_cost_eq_practice_price", "left", SUM("practice_month", "cost_pence"))},
    {"reconciliation.csv practice_month_practice_pence_eq_statements_spend_ytd: right = spend_ytd",
     RECON("practice_month_practice_pence_eq_statements_spend_ytd", "right",
           SUM("statements", "spend_ytd"))},
    {"reconciliation.csv practice_month_risk_pool_eq_statements_risk_pool_ytd: right = risk_pool_ytd",
     RECON("practice_month_risk_pool_eq_statements_risk_pool_ytd", "right",
           SUM("statements", "risk_pool_ytd"))},
    {"reconciliation.csv attribution_audit_units_eq_units_in_range: left = attribution_audit units",
     RECON("attribution_audit_units_eq_units_in_range", "left",
           SUM("attribution_audit", "units"))},
    {"reconciliation.csv pricing_audit_pence_eq_price: left = pricing_audit price_pence",
     RECON("pricing_audit_pence_eq_price", "left", SUM("pricing_audit", "price_pence"))},
    {"reconciliation.csv rejects_file_rows_eq_rejected: left = rejects rows",
     RECON("rejects_file_rows_eq_rejected", "left", "(SELECT count(*)" RUN_ROWS("rejects") ")")},
    {"reconciliation.csv rows_read_eq_accepted_superseded_rejected: left = file_reconciliation read",
     RECON("rows_read_eq_accepted_superseded_rejected", "left",
           SUM("file_reconciliation", "read"))},
    {"reconciliation.csv file_rows_read_eq_accepted_superseded_rejected: files that differ",
     "SELECT 0, count(*) FROM pbc.reconciliation r"
     " LEFT JOIN pbc.file_reconciliation f ON f.pct_code = r.pct_code AND f.period = r.period"
     "  AND f.file = r.scope"
     " WHERE r.pct_code = $1 AND r.period = $2"
     "  AND r.check_name = 'file_rows_read_eq_accepted_superseded_rejected'"
     "  AND (f.read IS DISTINCT FROM r.left_value"
     "       OR f.accepted + f.superseded + f.rejected IS DISTINCT FROM r.right_value)"},
};

typedef struct {
    char *name;
    char *expected;
    char *actual;
    gboolean ok;
} Outcome;

static void
outcome_free(gpointer p)
{
    Outcome *o = p;
    g_free(o->name);
    g_free(o->expected);
    g_free(o->actual);
    g_free(o);
}

static void
add(GPtrArray *out, char *name, const char *expected, const char *actual)
{
    Outcome *o = g_new0(Outcome, 1);
    o->name = name;
    o->expected = g_strdup(expected);
    o->actual = g_strdup(actual);
    o->ok = strcmp(expected, actual) == 0;
    g_ptr_array_add(out, o);
}

/* Row count and integer sums of one table against what its file held. */
static gboolean
check_table(PGconn *conn, const char *const *params, const PubTable *t, const PubFileStats *st,
            GPtrArray *out, GError **error)
{
    gboolean pa = strcmp(t->table, "priced_activity") == 0;
    g_autoptr(GString) sql = g_string_new(pa ? "SELECT coalesce(sum(n), 0)" : "SELECT count(*)");
    for (guint i = 0; i < t->ncols; i++)
        if (t->cols[i].type == PUB_INT && st->present[i])
            g_string_append_printf(sql, ", coalesce(sum(\"%s\"), 0)", t->cols[i].db);
    if (pa)
        g_string_append(sql, " FROM pg_temp.pub_pa WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL");
    else
        g_string_append_printf(sql, " FROM pbc.%s WHERE pct_code = $1 AND period = $2", t->table);
    g_autofree char *what = g_strdup_printf("could not check the totals of pbc.%s", t->table);
    PGresult *res = pub_db_query(conn, what, sql->str, 2, params, error);
    if (res == NULL)
        return FALSE;
    char num[32];
    g_snprintf(num, sizeof num, "%" G_GUINT64_FORMAT, st->rows);
    add(out, g_strdup_printf("pbc.%s rows = %s rows", t->table, t->file), num,
        PQgetvalue(res, 0, 0));
    int f = 1;
    for (guint i = 0; i < t->ncols; i++) {
        if (t->cols[i].type != PUB_INT || !st->present[i])
            continue;
        g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, st->sums[i]);
        add(out, g_strdup_printf("pbc.%s sum of %s = %s", t->table, t->cols[i].db, t->file), num,
            PQgetvalue(res, 0, f++));
    }
    PQclear(res);
    return TRUE;
}

/* Writes the outcomes to pbc.load_checks. */
static gboolean
record(PGconn *conn, const char *load_id, GPtrArray *out, GError **error)
{
    PubCopy *c = pub_copy_begin(
        conn, "COPY pbc.load_checks (load_id, seq, check_name, expected, actual, status) FROM STDIN",
        error);
    if (c == NULL)
        return FALSE;
    for (guint i = 0; i < out->len; i++) {
        Outcome *o = g_ptr_array_index(out, i);
        char seq[16];
        g_snprintf(seq, sizeof seq, "%u", i + 1);
        pub_copy_value(c, load_id, strlen(load_id));
        pub_copy_value(c, seq, strlen(seq));
        pub_copy_value(c, o->name, strlen(o->name));
        pub_copy_value(c, o->expected, strlen(o->expected));
        pub_copy_value(c, o->actual, strlen(o->actual));
        pub_copy_value(c, o->ok ? "OK" : "FAIL", o->ok ? 2 : 4);
        if (!pub_copy_end_row(c, error)) {
            pub_copy_abort(c, NULL);
            return FALSE;
        }
    }
    return pub_copy_finish(c, error);
}

/* The one scan of priced_activity: pg_temp.pub_pa (see PA_SUM). */
static gboolean
aggregate_units(PGconn *conn, const char *const *params, GError **error)
{
    const PubTable *t = pub_table_for_file("priced_activity.csv");
    g_autoptr(GString) sql = g_string_new(
        "CREATE TEMP TABLE pub_pa ON COMMIT DROP AS"
        " SELECT practice_code, activity_month, pod, budget_scope, count(*) AS n,"
        " count(*) FILTER (WHERE " PRACTICE
        " AND practice_pence + risk_pool_pence <> price_pence) AS bad_split,"
        " count(*) FILTER (WHERE budget_scope <> 'PRACTICE'"
        " AND (practice_pence <> 0 OR risk_pool_pence <> 0)) AS bad_scope");
    for (guint i = 0; i < t->ncols; i++)
        if (t->cols[i].type == PUB_INT)
            g_string_append_printf(sql, ", sum(\"%s\") AS \"%s\"", t->cols[i].db, t->cols[i].db);
    g_string_append(sql, " FROM pbc.priced_activity WHERE pct_code = $1 AND period = $2"
                         " GROUP BY 1, 2, 3, 4");
    return pub_db_exec(conn, "could not total the published units", sql->str, 2, params, error);
}

gboolean
pub_verify(PGconn *conn, const char *pct, const char *period, const char *load_id,
           const PubTable *const *tables, const PubFileStats *stats, guint n, GError **error)
{
    const char *params[] = {pct, period};
    if (!aggregate_units(conn, params, error))
        return FALSE;
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(outcome_free);
    for (guint i = 0; i < n; i++)
        if (!check_table(conn, params, tables[i], &stats[i], out, error))
            return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(checks); i++) {
        g_autofree char *what = g_strdup_printf("could not check \"%s\"", checks[i].name);
        /* Checks on pub_pa alone take no parameters. */
        int np = strstr(checks[i].sql, "$1") ? 2 : 0;
        PGresult *res = pub_db_query(conn, what, checks[i].sql, np, params, error);
        if (res == NULL)
            return FALSE;
        if (PQntuples(res) > 0)
            add(out, g_strdup(checks[i].name), PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
        PQclear(res);
    }
    guint failed = 0;
    g_autoptr(GString) msg = g_string_new(NULL);
    for (guint i = 0; i < out->len; i++) {
        Outcome *o = g_ptr_array_index(out, i);
        if (o->ok)
            continue;
        if (failed++ < 10)
            g_string_append_printf(msg, "\ndetail: %s: expected %s, found %s", o->name,
                                   o->expected, o->actual);
    }
    if (failed > 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "published totals do not match the output files: %u of %u checks failed; "
                    "nothing was published%s%s",
                    failed, out->len, msg->str,
                    failed > 10 ? "\ndetail: (only the first 10 are shown)" : "");
        return FALSE;
    }
    if (!record(conn, load_id, out, error))
        return FALSE;
    pbc_info("checked totals: %u checks passed", out->len);
    return TRUE;
}
