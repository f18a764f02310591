/*
 * stmt_data.c: reading a month's statements from the database views (see
 * stmt_data.h).
 *
 * One query per view for the whole (PCT, period), rows handed to their
 * practice by code, rather than one query per practice and view: a PCT's
 * hundred practices cost a dozen round trips.  Then the figures are checked
 * against each other before anything is rendered: a page whose POD table
 * does not add up to its spend must never reach a practice.
 */
#include "stmt_data.h"

#include "decimal.h"
#include "log.h"
#include "pub_db.h"

#include <string.h>

/* Display orders: the logical order of SPEC §6 and §7, not the alphabet. */
#define POD_ORDER "ARRAY['EL','DC','NEL','REG','OPFA','OPFU','OPPROC','OPTEL','AE']"
#define MEASURE_ORDER                                                                     \
    "ARRAY['EL_ADMISSIONS','NEL_ADMISSIONS','OP_FIRST','OP_FOLLOW_UP_RATIO','GP_REFERRALS'," \
    "'CONSULTANT_REFERRALS','AE_ATTENDANCES']"
#define METHOD_ORDER "ARRAY['EXETER','EXETER_NEAREST','CDS','UNATTRIBUTED']"

/* ---- small helpers -------------------------------------------------------- */

/* A value as a string kept in d->strings, NULL for SQL NULL or blank. */
static const char *
col_str(StmtData *d, PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    const char *v = PQgetvalue(r, row, col);
    return *v ? g_string_chunk_insert_const(d->strings, v) : NULL;
}

/* A bigint column; NULL reads as 0 (callers use col_null() where it matters). */
static int64_t
col_i64(PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return g_ascii_strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static gboolean
col_null(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col);
}

/* Runs a query with the (pct, period) parameters. */
static PGresult *
query2(PGconn *conn, const char *what, const char *sql, const StmtData *d, GError **error)
{
    const char *params[] = {d->pct, d->period};
    return pub_db_query(conn, what, sql, 2, params, error);
}

/*
 * Runs an optional query inside a savepoint: NULL (and no error) when it
 * fails, e.g. a table the user may not read or that this schema lacks, and
 * the transaction goes on.
 */
static PGresult *
try_query(PGconn *conn, const char *sql, int n, const char *const *params)
{
    if (!pub_db_exec(conn, "savepoint", "SAVEPOINT stmt_optional", 0, NULL, NULL))
        return NULL;
    PGresult *r = pub_db_query(conn, "optional query", sql, n, params, NULL);
    if (r == NULL) {
        pub_db_exec(conn, "rollback to savepoint", "ROLLBACK TO SAVEPOINT stmt_optional", 0, NULL,
                    NULL);
        return NULL;
    }
    pub_db_exec(conn, "release savepoint", "RELEASE SAVEPOINT stmt_optional", 0, NULL, NULL);
    return r;
}

static void
practice_free(StmtPractice *p)
{
    if (p == NULL)
        return;
    g_array_unref(p->months);
    g_array_unref(p->pods);
    g_array_unref(p->providers);
    g_array_unref(p->benchmarks);
    g_array_unref(p->patients);
    g_array_unref(p->attribution);
    g_array_unref(p->change_pods);
    g_array_unref(p->prior_months);
    g_array_unref(p->change_reasons);
    g_free(p->file);
    g_free(p->charges_file);
    g_free(p->changes_file);
    g_free(p);
}

static StmtSummary *
summary_new(const char *code, const char *file)
{
    StmtSummary *s = g_new0(StmtSummary, 1);
    s->code = code;
    s->months = g_array_new(FALSE, TRUE, sizeof(StmtMonth));
    s->pods = g_array_new(FALSE, TRUE, sizeof(StmtBreakdown));
    s->providers = g_array_new(FALSE, TRUE, sizeof(StmtBreakdown));
    s->members = g_ptr_array_new();
    s->file = g_strdup(file);
    return s;
}

static void
summary_free(StmtSummary *s)
{
    if (s == NULL)
        return;
    g_array_unref(s->months);
    g_array_unref(s->pods);
    g_array_unref(s->providers);
    g_ptr_array_unref(s->members);
    g_free(s->file);
    g_free(s);
}

void
stmt_data_free(StmtData *d)
{
    if (d == NULL)
        return;
    if (d->practices)
        g_ptr_array_unref(d->practices);
    if (d->consortia)
        g_ptr_array_unref(d->consortia);
    summary_free(d->total);
    if (d->strings)
        g_string_chunk_free(d->strings);
    g_free(d->pct);
    g_free(d->period);
    g_free(d->fin_year);
    g_free(d);
}

char *
stmt_file_stem(const char *code)
{
    char *s = g_strdup(code && *code ? code : "_");
    for (char *p = s; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            *p = '_';
    return s;
}

/*
 * The figures' phased budget for month k of 12 (R-G3's budget_ytd rule for
 * any month): round(annual_budget × k / 12), halves away from zero.
 */
static int64_t
stmt_phased_budget(int64_t annual_budget, int k)
{
    return muldiv_round(annual_budget, k, 12);
}

/* ---- the headline --------------------------------------------------------- */

/* Columns 0..10 of a figures query: annual_budget .. spend_percent. */
static void
read_figures(StmtData *d, PGresult *r, int row, int col, StmtFigures *f)
{
    f->annual_budget = col_i64(r, row, col + 0);
    f->budget_ytd = col_i64(r, row, col + 1);
    f->spend_ytd = col_i64(r, row, col + 2);
    f->variance_ytd = col_i64(r, row, col + 3);
    f->forecast_outturn = col_i64(r, row, col + 4);
    f->forecast_variance = col_i64(r, row, col + 5);
    f->freed_up_practice = col_i64(r, row, col + 6);
    f->freed_up_pct = col_i64(r, row, col + 7);
    f->risk_pool_ytd = col_i64(r, row, col + 8);
    f->units_ytd = col_i64(r, row, col + 9);
    f->spend_percent = col_str(d, r, row, col + 10);
}

#define FIGURE_COLUMNS                                                                      \
    "annual_budget, budget_ytd, spend_ytd, variance_ytd, forecast_outturn, "                 \
    "forecast_variance, freed_up_practice, freed_up_pct, risk_pool_ytd, units_ytd, "         \
    "spend_percent_of_budget_ytd"

static gboolean
load_statements(PGconn *conn, StmtData *d, GHashTable *by_code, GArray *units_null,
                GError **error)
{
    PGresult *r = query2(conn, "could not read the statements (pbc.v_statement)",
                         "SELECT practice_code, practice_name, consortium_code, fin_year,"
                         " month_number, load_id, " FIGURE_COLUMNS
                         " FROM pbc.v_statement WHERE pct_code = $1 AND period = $2"
                         " ORDER BY nullif(consortium_code, '') COLLATE \"C\" NULLS LAST,"
                         " practice_code COLLATE \"C\"",
                         d, error);
    if (r == NULL)
        return FALSE;
    for (int i = 0; i < PQntuples(r); i++) {
        StmtPractice *p = g_new0(StmtPractice, 1);
        p->code = col_str(d, r, i, 0);
        p->name = col_str(d, r, i, 1);
        p->consortium = col_str(d, r, i, 2);
        if (i == 0) {
            d->fin_year = g_strdup(PQgetvalue(r, i, 3));
            d->month_number = (int)col_i64(r, i, 4);
        }
        p->load_id = col_i64(r, i, 5);
        read_figures(d, r, i, 6, &p->fig);
        gboolean no_units = col_null(r, i, 15);
        g_array_append_val(units_null, no_units);
        p->months = g_array_new(FALSE, TRUE, sizeof(StmtMonth));
        p->pods = g_array_new(FALSE, TRUE, sizeof(StmtBreakdown));
        p->providers = g_array_new(FALSE, TRUE, sizeof(StmtBreakdown));
        p->benchmarks = g_array_new(FALSE, TRUE, sizeof(StmtBenchmark));
        p->patients = g_array_new(FALSE, TRUE, sizeof(StmtPatient));
        p->attribution = g_array_new(FALSE, TRUE, sizeof(StmtAttribution));
        p->change_pods = g_array_new(FALSE, TRUE, sizeof(StmtChangePod));
        p->prior_months = g_array_new(FALSE, TRUE, sizeof(StmtPriorMonth));
        p->change_reasons = g_array_new(FALSE, TRUE, sizeof(StmtChangeReason));
        p->budget.set_by = "NONE";
        g_autofree char *stem = stmt_file_stem(p->code);
        p->file = g_strconcat(stem, ".html", NULL);
        p->charges_file = g_strconcat(stem, "_charges.csv", NULL);
        p->changes_file = g_strconcat(stem, "_changes.csv", NULL);
        g_ptr_array_add(d->practices, p);
        g_hash_table_insert(by_code, (gpointer)p->code, p);
    }
    PQclear(r);
    return TRUE;
}

/* ---- the detail views ---------------------------------------------------- */

/*
 * A detail view: one query over the whole (PCT, period), ordered for
 * display, each row handed to its practice's row function.  Rows of a
 * practice without a statement (none: the views join pbc.statements) are
 * skipped.
 */
typedef struct {
    const char *view;  /* for the message: "could not read <view>" */
    const char *sql;   /* $1 the PCT, $2 the period; column 0 practice_code */
    void (*row)(StmtData *d, StmtPractice *p, PGresult *r, int i);
} Detail;

static void
month_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtMonth m = {
        .month_number = (int)col_i64(r, i, 1),
        .month = col_str(d, r, i, 2),
        .units = col_i64(r, i, 3),
        .spend = col_i64(r, i, 4),
        .cumulative = col_i64(r, i, 5),
        .phased_budget = col_i64(r, i, 6),
    };
    g_array_append_val(p->months, m);
}

static StmtBreakdown
breakdown_at(StmtData *d, PGresult *r, int i)
{
    return (StmtBreakdown){
        .key = col_str(d, r, i, 1),
        .description = col_str(d, r, i, 2),
        .units = col_i64(r, i, 3),
        .cost = col_i64(r, i, 4),
        .practice = col_i64(r, i, 5),
        .risk_pool = col_i64(r, i, 6),
    };
}

static void
pod_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtBreakdown b = breakdown_at(d, r, i);
    g_array_append_val(p->pods, b);
}

static void
provider_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtBreakdown b = breakdown_at(d, r, i);
    g_array_append_val(p->providers, b);
}

static void
benchmark_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtBenchmark b = {
        .measure = col_str(d, r, i, 1),
        .description = col_str(d, r, i, 2),
        .count = col_str(d, r, i, 3),
        .rate = col_str(d, r, i, 4),
        .pct_count = col_str(d, r, i, 5),
        .pct_rate = col_str(d, r, i, 6),
        .ratio = col_str(d, r, i, 7),
        .weighted_population = col_str(d, r, i, 8),
        .pct_weighted_population = col_str(d, r, i, 9),
    };
    g_array_append_val(p->benchmarks, b);
}

static void
patient_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtPatient t = {
        .rank = (int)col_i64(r, i, 1),
        .nhs_number = col_str(d, r, i, 2),
        .units = col_i64(r, i, 3),
        .cost = col_i64(r, i, 4),
        .practice = col_i64(r, i, 5),
        .risk_pool = col_i64(r, i, 6),
    };
    g_array_append_val(p->patients, t);
}

static void
attribution_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtAttribution a = {
        .method = col_str(d, r, i, 1),
        .units = col_i64(r, i, 2),
        .cost = col_i64(r, i, 3),
        .mismatches = col_i64(r, i, 4),
        .handed_over = col_i64(r, i, 5),
    };
    g_array_append_val(p->attribution, a);
}

static void
budget_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtBudget *b = &p->budget;
    b->set_by = col_str(d, r, i, 1);
    b->has_components = g_strcmp0(b->set_by, "RUN") == 0;
    b->historic = col_i64(r, i, 2);
    b->uplifted_historic = col_i64(r, i, 3);
    b->fair_share = col_i64(r, i, 4);
    b->distance = col_str(d, r, i, 5);
    b->budget = col_i64(r, i, 6);
    b->contingency = col_i64(r, i, 7);
    b->annual_budget = col_i64(r, i, 8);
    b->weighted_population = col_str(d, r, i, 9);
}

/* Month end (011, docs/month_end.md). */

/* A timestamptz column formatted for the pages: London time, to the minute. */
#define LONDON_MINUTE(col) "to_char(" col " AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI')"

/* The statement's month state and what moved since the run it replaced. */
static void
month_end_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    p->month_end = (StmtMonthEnd){
        .status = col_str(d, r, i, 1),
        .closed_at = col_str(d, r, i, 2),
        .closed_by = col_str(d, r, i, 3),
        .from_load_id = col_i64(r, i, 4),
        .units_changed = col_i64(r, i, 5),
        .delta_spend = col_i64(r, i, 6),
        .prior_month_rows = col_i64(r, i, 7),
        .prior_month_delta = col_i64(r, i, 8),
    };
    /* The view keeps the last close of a re-opened month: only a closed one shows it. */
    if (g_strcmp0(p->month_end.status, "CLOSED") != 0)
        p->month_end.closed_at = p->month_end.closed_by = NULL;
}

/* Units and spend then and now from six columns from col on. */
static StmtThenNow
then_now_at(PGresult *r, int i, int col)
{
    return (StmtThenNow){
        .from_units = col_i64(r, i, col),
        .to_units = col_i64(r, i, col + 1),
        .delta_units = col_i64(r, i, col + 2),
        .from_spend = col_i64(r, i, col + 3),
        .to_spend = col_i64(r, i, col + 4),
        .delta_spend = col_i64(r, i, col + 5),
    };
}

static void
change_pod_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtChangePod c = {
        .pod = col_str(d, r, i, 1),
        .description = col_str(d, r, i, 2),
        .v = then_now_at(r, i, 3),
        .delta_cost = col_i64(r, i, 9),
        .delta_risk_pool = col_i64(r, i, 10),
    };
    g_array_append_val(p->change_pods, c);
}

static void
prior_month_row(StmtData *d, StmtPractice *p, PGresult *r, int i)
{
    StmtPriorMonth m = {
        .activity_month = col_str(d, r, i, 1),
        .closed_period = col_str(d, r, i, 2),
        .closed_load_id = col_i64(r, i, 3),
        .v = then_now_at(r, i, 4),
        .delta_risk_pool = col_i64(r, i, 10),
    };
    g_array_append_val(p->prior_months, m);
}

#define WHERE_MONTH " WHERE pct_code = $1 AND period = $2"

static const Detail details[] = {
    {"the cumulative spend (pbc.v_cumulative_spend)",
     "SELECT practice_code, month_number, activity_month, units, spend_pence,"
     " cumulative_spend_pence, phased_budget_pence FROM pbc.v_cumulative_spend" WHERE_MONTH
     " ORDER BY practice_code, month_number",
     month_row},
    {"the POD breakdown (pbc.v_statement_pod)",
     "SELECT practice_code, pod, pod_description, units, cost_pence, practice_pence,"
     " risk_pool_pence FROM pbc.v_statement_pod" WHERE_MONTH
     " ORDER BY practice_code, array_position(" POD_ORDER ", pod) NULLS LAST, pod COLLATE \"C\"",
     pod_row},
    {"the provider breakdown (pbc.v_statement_provider)",
     "SELECT practice_code, provider_code, NULL, units, cost_pence, practice_pence,"
     " risk_pool_pence FROM pbc.v_statement_provider" WHERE_MONTH
     " ORDER BY practice_code, provider_code COLLATE \"C\"",
     provider_row},
    {"the benchmarks (pbc.v_benchmarks)",
     "SELECT practice_code, measure, description, count, rate_per_1000, pct_count,"
     " pct_rate_per_1000, ratio_to_pct, weighted_population, pct_weighted_population"
     " FROM pbc.v_benchmarks" WHERE_MONTH
     " ORDER BY practice_code, array_position(" MEASURE_ORDER ", measure) NULLS LAST,"
     " measure COLLATE \"C\"",
     benchmark_row},
    {"the highest-cost patients (pbc.v_statement_top_patients)",
     "SELECT practice_code, rank, nhs_number, units, cost_pence, practice_pence,"
     " risk_pool_pence FROM pbc.v_statement_top_patients" WHERE_MONTH " AND rank <= 10"
     " ORDER BY practice_code, rank",
     patient_row},
    {"the attribution of the units (pbc.v_statement_attribution)",
     "SELECT practice_code, attribution_method, units, cost_pence, mismatches, handed_over"
     " FROM pbc.v_statement_attribution" WHERE_MONTH
     " ORDER BY practice_code, array_position(" METHOD_ORDER ", attribution_method) NULLS LAST,"
     " attribution_method COLLATE \"C\"",
     attribution_row},
    {"the budgets (pbc.v_statement_budget)",
     "SELECT practice_code, budget_set_by, historic, uplifted_historic, fair_share,"
     " distance_from_target, budget, contingency, annual_budget, weighted_population"
     " FROM pbc.v_statement_budget" WHERE_MONTH,
     budget_row},
    {"the month-end state (pbc.v_statement_status)",
     "SELECT practice_code, status, " LONDON_MINUTE("closed_at") ", closed_by, from_load_id,"
     " units_changed, delta_spend_pence, prior_month_adjustments, prior_month_delta_pence"
     " FROM pbc.v_statement_status" WHERE_MONTH,
     month_end_row},
    {"the changes by POD (pbc.v_statement_changes_pod)",
     "SELECT practice_code, pod, pod_description, from_units, to_units, delta_units,"
     " from_practice_pence, to_practice_pence, delta_practice_pence, delta_cost_pence,"
     " delta_risk_pool_pence FROM pbc.v_statement_changes_pod" WHERE_MONTH
     " ORDER BY practice_code, array_position(" POD_ORDER ", pod) NULLS LAST, pod COLLATE \"C\"",
     change_pod_row},
    {"the prior-month adjustments (pbc.v_statement_prior_month)",
     "SELECT practice_code, activity_month, closed_period, closed_load_id, closed_units, units,"
     " delta_units, closed_practice_pence, practice_pence, delta_practice_pence,"
     " delta_risk_pool_pence FROM pbc.v_statement_prior_month" WHERE_MONTH
     " ORDER BY practice_code, activity_month",
     prior_month_row},
};

/* Reads every detail view into the practices of by_code. */
static gboolean
load_details(PGconn *conn, StmtData *d, GHashTable *by_code, GError **error)
{
    for (guint k = 0; k < G_N_ELEMENTS(details); k++) {
        g_autofree char *what = g_strdup_printf("could not read %s", details[k].view);
        PGresult *r = query2(conn, what, details[k].sql, d, error);
        if (r == NULL)
            return FALSE;
        for (int i = 0; i < PQntuples(r); i++) {
            StmtPractice *p = g_hash_table_lookup(by_code, PQgetvalue(r, i, 0));
            if (p != NULL)
                details[k].row(d, p, r, i);
        }
        PQclear(r);
    }
    return TRUE;
}

/* ---- the month's state (011) ---------------------------------------------- */

/* The month's state: provisional or closed, who closed it and when, the last re-open. */
static gboolean
load_period(PGconn *conn, StmtData *d, GError **error)
{
    PGresult *r = query2(conn, "could not read the month's state (pbc.v_period_status)",
                         "SELECT status, " LONDON_MINUTE("closed_at") ", closed_by, close_note,"
                         " " LONDON_MINUTE("reopened_at") ", reopened_by, reopen_reason"
                         " FROM pbc.v_period_status WHERE pct_code = $1 AND period = $2",
                         d, error);
    if (r == NULL)
        return FALSE;
    if (PQntuples(r) == 1) {
        StmtPeriod *s = &d->state;
        s->status = col_str(d, r, 0, 0);
        gboolean closed = g_strcmp0(s->status, "CLOSED") == 0;
        /* A closed month keeps its last re-open for the record; the page shows the close. */
        s->closed_at = closed ? col_str(d, r, 0, 1) : NULL;
        s->closed_by = closed ? col_str(d, r, 0, 2) : NULL;
        s->close_note = closed ? col_str(d, r, 0, 3) : NULL;
        s->reopened_at = closed ? NULL : col_str(d, r, 0, 4);
        s->reopened_by = closed ? NULL : col_str(d, r, 0, 5);
        s->reopen_reason = closed ? NULL : col_str(d, r, 0, 6);
    }
    PQclear(r);
    return TRUE;
}

/* ---- totals --------------------------------------------------------------- */

/* Adds src's rows into dst by key (months by month number). */
static void
add_breakdown(GArray *dst, const GArray *src)
{
    for (guint i = 0; i < src->len; i++) {
        const StmtBreakdown *b = &g_array_index(src, StmtBreakdown, i);
        guint j = 0;
        while (j < dst->len && g_strcmp0(g_array_index(dst, StmtBreakdown, j).key, b->key) != 0)
            j++;
        if (j == dst->len) {
            StmtBreakdown z = {.key = b->key, .description = b->description};
            g_array_append_val(dst, z);
        }
        StmtBreakdown *t = &g_array_index(dst, StmtBreakdown, j);
        t->units += b->units;
        t->cost += b->cost;
        t->practice += b->practice;
        t->risk_pool += b->risk_pool;
    }
}

static void
add_months(GArray *dst, const GArray *src)
{
    for (guint i = 0; i < src->len; i++) {
        const StmtMonth *m = &g_array_index(src, StmtMonth, i);
        if (dst->len <= i) {
            StmtMonth z = {.month_number = m->month_number, .month = m->month};
            g_array_append_val(dst, z);
        }
        StmtMonth *t = &g_array_index(dst, StmtMonth, i);
        t->units += m->units;
        t->spend += m->spend;
        t->cumulative += m->cumulative;
        t->phased_budget += m->phased_budget;
    }
}

/* Sorts a summed breakdown the way the practices' are: PODs by the SPEC's order. */
static int
pod_rank(const char *pod)
{
    static const char *const order[] = {"EL", "DC", "NEL", "REG", "OPFA", "OPFU", "OPPROC", "OPTEL", "AE"};
    for (guint i = 0; i < G_N_ELEMENTS(order); i++)
        if (g_strcmp0(pod, order[i]) == 0)
            return (int)i;
    return (int)G_N_ELEMENTS(order);
}

static gint
cmp_pod(gconstpointer a, gconstpointer b)
{
    const StmtBreakdown *x = a, *y = b;
    int d = pod_rank(x->key) - pod_rank(y->key);
    return d ? d : g_strcmp0(x->key, y->key);
}

static gint
cmp_key(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(((const StmtBreakdown *)a)->key, ((const StmtBreakdown *)b)->key);
}

static void
summary_add(StmtSummary *s, StmtPractice *p)
{
    g_ptr_array_add(s->members, p);
    add_months(s->months, p->months);
    for (int k = 0; k < 12; k++)
        s->phased[k] += p->phased[k];
    add_breakdown(s->pods, p->pods);
    add_breakdown(s->providers, p->providers);
    s->delta_spend += p->month_end.delta_spend;
    s->prior_month_delta += p->month_end.prior_month_delta;
    if (p->month_end.units_changed > 0)
        s->changed++;
}

static void
summary_sort(StmtSummary *s)
{
    g_array_sort(s->pods, cmp_pod);
    g_array_sort(s->providers, cmp_key);
}

/* The money figures a total must add up to, in StmtFigures order (units and % aside). */
#define N_MONEY_FIGURES 9
static void
money_figures(const StmtFigures *f, int64_t v[N_MONEY_FIGURES])
{
    const int64_t m[N_MONEY_FIGURES] = {
        f->annual_budget,    f->budget_ytd,        f->spend_ytd,
        f->variance_ytd,     f->forecast_outturn,  f->forecast_variance,
        f->freed_up_practice, f->freed_up_pct,     f->risk_pool_ytd,
    };
    memcpy(v, m, sizeof m);
}

/* Checks a total from the views against the sum of its practices' figures. */
static gboolean
check_total(const StmtSummary *s, const char *what, GError **error)
{
    int64_t sum[N_MONEY_FIGURES] = {0}, total[N_MONEY_FIGURES];
    for (guint i = 0; i < s->members->len; i++) {
        int64_t v[N_MONEY_FIGURES];
        money_figures(&((StmtPractice *)g_ptr_array_index(s->members, i))->fig, v);
        for (int k = 0; k < N_MONEY_FIGURES; k++)
            sum[k] += v[k];
    }
    money_figures(&s->fig, total);
    const StmtFigures *f = &s->fig;
    if ((guint)s->practices != s->members->len || memcmp(sum, total, sizeof sum) != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                    "the %s totals of %s do not add up to its practices' statements "
                    "(spend_ytd %" G_GINT64_FORMAT " against %" G_GINT64_FORMAT ")",
                    what, s->code, f->spend_ytd, sum[2]);
        return FALSE;
    }
    return TRUE;
}

static gboolean
load_totals(PGconn *conn, StmtData *d, GError **error)
{
    d->total = summary_new(g_string_chunk_insert_const(d->strings, d->pct), "pct.html");
    GHashTable *by_consortium = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        summary_add(d->total, p);
        if (p->consortium == NULL)
            continue;
        StmtSummary *s = g_hash_table_lookup(by_consortium, p->consortium);
        if (s == NULL) {
            g_autofree char *stem = stmt_file_stem(p->consortium);
            g_autofree char *file = g_strconcat("consortium_", stem, ".html", NULL);
            s = summary_new(p->consortium, file);
            g_hash_table_insert(by_consortium, (gpointer)s->code, s);
            g_ptr_array_add(d->consortia, s);
        }
        summary_add(s, p);
    }
    summary_sort(d->total);
    for (guint i = 0; i < d->consortia->len; i++)
        summary_sort(g_ptr_array_index(d->consortia, i));

    gboolean ok = FALSE;
    PGresult *r = query2(conn, "could not read the consortium totals (pbc.v_statement_consortium)",
                         "SELECT consortium_code, practices, " FIGURE_COLUMNS
                         " FROM pbc.v_statement_consortium WHERE pct_code = $1 AND period = $2",
                         d, error);
    if (r == NULL)
        goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        StmtSummary *s = col_null(r, i, 0) ? NULL
                                           : g_hash_table_lookup(by_consortium, PQgetvalue(r, i, 0));
        if (s == NULL)
            continue;
        s->practices = (int)col_i64(r, i, 1);
        read_figures(d, r, i, 2, &s->fig);
    }
    PQclear(r);
    r = query2(conn, "could not read the PCT totals (pbc.v_statement_pct)",
               "SELECT practices, " FIGURE_COLUMNS
               " FROM pbc.v_statement_pct WHERE pct_code = $1 AND period = $2",
               d, error);
    if (r == NULL)
        goto out;
    if (PQntuples(r) == 1) {
        d->total->practices = (int)col_i64(r, 0, 0);
        read_figures(d, r, 0, 1, &d->total->fig);
    }
    PQclear(r);
    ok = check_total(d->total, "PCT", error);
    for (guint i = 0; ok && i < d->consortia->len; i++)
        ok = check_total(g_ptr_array_index(d->consortia, i), "consortium", error);
out:
    g_hash_table_destroy(by_consortium);
    return ok;
}

/* ---- publication time ------------------------------------------------------ */

/* When the standing load finished (finance can read pbc.loads; practices cannot). */
static const char *
load_published_at(PGconn *conn, StmtData *d)
{
    if (d->practices->len == 0)
        return NULL;
    g_autofree char *id =
        g_strdup_printf("%" G_GINT64_FORMAT, ((StmtPractice *)d->practices->pdata[0])->load_id);
    const char *params[] = {id};
    PGresult *r = try_query(conn,
                            "SELECT to_char(finished_at AT TIME ZONE 'Europe/London',"
                            " 'YYYY-MM-DD HH24:MI') FROM pbc.loads WHERE load_id = $1",
                            1, params);
    const char *at = (r != NULL && PQntuples(r) == 1) ? col_str(d, r, 0, 0) : NULL;
    PQclear(r);
    return at;
}

/* ---- consistency ---------------------------------------------------------- */

/* Whether from + delta = to, for the units and the spend. */
static gboolean
stmt_then_now_adds_up(const StmtThenNow *v)
{
    return v->from_units + v->delta_units == v->to_units &&
           v->from_spend + v->delta_spend == v->to_spend;
}

void
stmt_then_now_add(StmtThenNow *sum, const StmtThenNow *v)
{
    sum->from_units += v->from_units;
    sum->to_units += v->to_units;
    sum->delta_units += v->delta_units;
    sum->from_spend += v->from_spend;
    sum->to_spend += v->to_spend;
    sum->delta_spend += v->delta_spend;
}

StmtBreakdown
stmt_breakdown_total(const GArray *rows)
{
    StmtBreakdown t = {0};
    for (guint i = 0; i < rows->len; i++) {
        const StmtBreakdown *b = &g_array_index(rows, StmtBreakdown, i);
        t.units += b->units;
        t.cost += b->cost;
        t.practice += b->practice;
        t.risk_pool += b->risk_pool;
    }
    return t;
}

/*
 * The month end of a statement agrees with itself (docs/month_end.md): each
 * POD's and each restated month's before + change = now, the POD changes add
 * up to the change of spend since the previous run, the restated months to
 * the prior-month delta; a first publication has nothing changed; the
 * statement's month is in the month's state.  NULL when it does, else what is
 * wrong.
 */
static const char *
check_month_end(const StmtData *d, const StmtPractice *p)
{
    const StmtMonthEnd *e = &p->month_end;
    int64_t delta = 0, prior = 0;
    for (guint i = 0; i < p->change_pods->len; i++) {
        const StmtThenNow *v = &g_array_index(p->change_pods, StmtChangePod, i).v;
        if (!stmt_then_now_adds_up(v))
            return "a POD's change since the previous run is not its later figure less its earlier";
        delta += v->delta_spend;
    }
    for (guint i = 0; i < p->prior_months->len; i++) {
        const StmtThenNow *v = &g_array_index(p->prior_months, StmtPriorMonth, i).v;
        if (!stmt_then_now_adds_up(v))
            return "a prior-month adjustment is not the figure now less the figure signed off";
        prior += v->delta_spend;
    }
    if (delta != e->delta_spend)
        return "the changes by POD do not add up to the change of spend since the previous run";
    if (e->from_load_id == 0 && (e->units_changed != 0 || p->change_pods->len != 0))
        return "a first publication has changes since a previous run";
    if (prior != e->prior_month_delta || (int64_t)p->prior_months->len != e->prior_month_rows)
        return "the prior-month adjustments do not add up to the statement's";
    if (g_strcmp0(e->status, d->state.status) != 0 ||
        g_strcmp0(e->closed_at, d->state.closed_at) != 0 ||
        g_strcmp0(e->closed_by, d->state.closed_by) != 0)
        return "its month's state (provisional or closed) is not the month's";
    return NULL;
}

/*
 * The views must agree before a page is drawn: the POD and provider tables
 * add up to spend_ytd and risk_pool_ytd (R-G3), the chart ends on spend_ytd
 * and budget_ytd in the reporting month, the month end adds up.
 */
static gboolean
check_practice(const StmtData *d, const StmtPractice *p, GError **error)
{
    const char *bad = NULL;
    StmtBreakdown pods = stmt_breakdown_total(p->pods);
    StmtBreakdown providers = stmt_breakdown_total(p->providers);
    if (pods.practice != p->fig.spend_ytd || pods.risk_pool != p->fig.risk_pool_ytd)
        bad = "the POD breakdown does not add up to spend_ytd and risk_pool_ytd";
    else if (providers.practice != p->fig.spend_ytd || providers.risk_pool != p->fig.risk_pool_ytd)
        bad = "the provider breakdown does not add up to spend_ytd and risk_pool_ytd";
    else if ((int)p->months->len != d->month_number)
        bad = "the cumulative spend does not have a row for every month";
    else if (p->months->len > 0 &&
             (g_array_index(p->months, StmtMonth, p->months->len - 1).cumulative != p->fig.spend_ytd ||
              g_array_index(p->months, StmtMonth, p->months->len - 1).phased_budget !=
                  p->fig.budget_ytd))
        bad = "the cumulative spend does not end on spend_ytd and budget_ytd";
    else
        bad = check_month_end(d, p);
    if (bad != NULL) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DATA, "statement of practice %s: %s", p->code, bad);
        return FALSE;
    }
    return TRUE;
}

/* ---- the whole ------------------------------------------------------------- */

StmtData *
stmt_data_load(PGconn *conn, const char *pct, const char *period, GError **error)
{
    /* One snapshot for every page and file: a publish committing meanwhile
     * is either wholly seen or not at all. */
    if (!pub_db_exec(conn, "could not set the date style", "SET DateStyle = ISO", 0, NULL, error) ||
        !pub_db_exec(conn, "could not start the snapshot",
                     "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, error))
        return NULL;
    g_autoptr(StmtData) d = g_new0(StmtData, 1);
    d->pct = g_strdup(pct);
    d->period = g_strdup(period);
    d->strings = g_string_chunk_new(4096);
    d->practices = g_ptr_array_new_with_free_func((GDestroyNotify)practice_free);
    d->consortia = g_ptr_array_new_with_free_func((GDestroyNotify)summary_free);
    g_autoptr(GHashTable) by_code = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GArray) units_null = g_array_new(FALSE, FALSE, sizeof(gboolean));

    /* 010's and 011's views come with pbc-publish's migrations: say so rather than
     * "relation ... does not exist". */
    static const struct {
        const char *view, *what, *migration;
    } needed[] = {
        {"pbc.v_statement_pct", "statement views", "010_statement_views.sql"},
        {"pbc.v_statement_status", "month-end views", "011_month_end.sql"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(needed); i++) {
        gboolean exists = FALSE;
        if (!pub_db_relation_exists(conn, needed[i].view, &exists, error))
            return NULL;
        if (!exists) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                        "the database has no %s (%s)\n"
                        "detail: they come with migration %s\n"
                        "hint: apply the migrations: pbc-publish --migrate",
                        needed[i].what, needed[i].view, needed[i].migration);
            return NULL;
        }
    }
    if (!load_statements(conn, d, by_code, units_null, error))
        return NULL;
    if (d->practices->len == 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "no statements published for PCT %s, period %s\n"
                    "detail: pbc.v_statement has no row for them that this user may see\n"
                    "hint: publish the run first: pbc-publish --out OUT",
                    pct, period);
        return NULL;
    }
    if (!load_details(conn, d, by_code, error) || !load_period(conn, d, error))
        return NULL;
    for (guint i = 0; i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        /* units_ytd is an addition to statements.csv: count the PODs' units when absent. */
        if (g_array_index(units_null, gboolean, i))
            p->fig.units_ytd = stmt_breakdown_total(p->pods).units;
        /* The chart's budget line runs to March: the view's months, then the same rule. */
        for (int k = 1; k <= 12; k++)
            p->phased[k - 1] = k <= (int)p->months->len
                                   ? g_array_index(p->months, StmtMonth, k - 1).phased_budget
                                   : stmt_phased_budget(p->fig.annual_budget, k);
        if (!check_practice(d, p, error))
            return NULL;
        /* Every statement of the month came with the same publication and report. */
        if (i == 0)
            d->from_load_id = p->month_end.from_load_id;
    }
    if (!load_totals(conn, d, error))
        return NULL;
    d->published_at = load_published_at(conn, d);
    return g_steal_pointer(&d);
}

gboolean
stmt_data_end(PGconn *conn, GError **error)
{
    return pub_db_exec(conn, "could not end the snapshot", "COMMIT", 0, NULL, error);
}
