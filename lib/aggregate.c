/*
 * aggregate.c: statements, budgets and reconciliation (see aggregate.h).
 *
 * Two passes over the priced units, so memory never holds the units
 * themselves: pass 1 collects what R-G2 (the per-patient running total) and
 * R-B1 (last year's activity at this year's prices) need, compactly; pass 2
 * writes priced_activity.csv and accumulates every total.  Then the
 * statements, budgets and reconciliation are computed from those totals.
 */
#include "aggregate.h"

#include "attr_audit.h"
#include "benchmark.h"
#include "budget.h"
#include "conf.h"
#include "counter.h"
#include "csv_in.h"
#include "csv_out.h"
#include "date.h"
#include "decimal.h"
#include "highcost.h"
#include "log.h"
#include "nhs.h"
#include "population.h"
#include "practice.h"
#include "price_audit.h"
#include "pricing.h"
#include "scope.h"
#include "statement.h"
#include "tariff.h"
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const priced_header[] = {
    "unit_id", "dataset", "pod", "provider_code", "nhs_number", "practice_code",
    "attribution_method", "cds_practice_code", "attribution_date", "charge_date",
    "activity_month", "fin_year", "hrg", "treatment_function_code", "los", "excess_bed_days",
    "base_pence", "excess_pence", "sse_applied", "mff", "price_pence", "price_method",
    "budget_scope", "practice_pence", "risk_pool_pence",
    /* the project's additions (docs/outputs.md) */
    "original_practice_code", "exeter_practice_code", "exeter_reason", "cds_reason",
    "unattributed_reason", "mismatch", "practice_pct_code", "consortium_code",
    "commissioner_code", "admission_method", "patient_classification", "admission_date",
    "discharge_date", "first_attendance", "attended_or_dna", "referral_source",
    "ae_attendance_category", "date_of_birth", "cds_unique_id", "episodes", "source_file",
    "source_line", NULL};

static const char *const pm_header[] = {"practice_code", "activity_month", "pod", "units",
                                        "cost_pence", "practice_pence", "risk_pool_pence", NULL};
static const char *const st_header[] = {
    "practice_code", "fin_year", "reporting_month", "annual_budget", "budget_ytd", "spend_ytd",
    "variance_ytd", "forecast_outturn", "forecast_variance", "freed_up_practice", "freed_up_pct",
    "risk_pool_ytd", "practice_name", "consortium_code", "units_ytd", NULL};
static const char *const bd_header[] = {"practice_code", "breakdown", "key", "units",
                                        "cost_pence", "practice_pence", "risk_pool_pence", NULL};
static const char *const budgets_header[] = {
    "practice_code", "fin_year", "historic", "uplifted_historic", "fair_share",
    "distance_from_target", "budget", "contingency", "annual_budget", "weighted_population",
    NULL};
static const char *const dq_header[] = {"provider_code", "activity_month", "measure", "reason",
                                        "count", NULL};
static const char *const recon_header[] = {"check", "scope", "left", "right", "difference",
                                           "status", NULL};
static const char *const rejects_header[] = {"file", "line", "dataset", "reason", "column",
                                             "raw_record", NULL};
static const char *const deletions_header[] = {"file", "line", "dataset", "cds_unique_id",
                                               "unit_id", NULL};
static const char *const file_recon_header[] = {"file",       "dataset",  "read", "accepted",
                                                "superseded", "rejected", NULL};

/* Everything the run accumulates. */
typedef struct {
    const AggregateParams *p;
    PbcConf conf;
    const char *pct;
    int period;        /* month key */
    int fy;
    int m;             /* month number, April = 1 */
    PbcDate range_start, range_end;
    gboolean set_budgets;

    PracticeTable *practices;
    PracticeYearTable *populations; /* may be NULL when the file is absent */
    PracticeYearTable *ref_budgets; /* NULL when the run sets budgets */
    Tariffs *tariffs;               /* only when setting budgets */

    HighCost *highcost;
    /* R-B1 */
    GHashTable *historic;           /* budget practice code -> int64 pence (boxed) */
    int64_t historic_left_out_units, historic_left_out_pence;
    GHashTable *budget_of;          /* practice -> int64 annual budget pence */
    GArray *budget_lines;           /* BudgetLine */
    int64_t envelope;

    /* pass 2 */
    Counter *practice_month;        /* practice, month, pod -> units, cost, practice, risk */
    Counter *per_practice;          /* practice -> units, cost, practice, risk */
    Counter *breakdown;             /* practice, POD|PROVIDER, key -> same */
    Counter *dq;                    /* provider, month, measure, reason -> count */
    Counter *scope_totals;          /* scope -> units, price, practice, risk */
    Benchmarks *benchmarks;
    AttrAudit *attr_audit;
    PriceAudit *price_audit;
    uint64_t units_in_range, priced_rows;
    int64_t total_price;

    GPtrArray *outs;                /* CsvOut* still to commit (statements last) */
    Counter *recon_rows;            /* check, scope -> left, right */
} Run;

static void
recon(Run *r, const char *check, const char *scope, int64_t left, int64_t right)
{
    const char *parts[2] = {check, scope};
    int64_t sums[2] = {left, right};
    counter_add(r->recon_rows, parts, sums);
}

static char *
ref_path(const Run *r, const char *name)
{
    return g_build_filename(r->p->ref_dir, name, NULL);
}

/* A file of REF, plain or gzip; NULL when neither exists. */
static char *
ref_find(const Run *r, const char *name)
{
    char *plain = ref_path(r, name);
    if (g_file_test(plain, G_FILE_TEST_EXISTS))
        return plain;
    char *gz = g_strconcat(plain, ".gz", NULL);
    g_free(plain);
    if (g_file_test(gz, G_FILE_TEST_EXISTS))
        return gz;
    g_free(gz);
    return NULL;
}

static CsvOut *
out_create(Run *r, const char *name, int mode, const char *const *header, GError **error)
{
    g_autofree char *path = g_build_filename(r->p->out_dir, name, NULL);
    CsvOut *o = csv_out_create(path, mode, header, error);
    if (o)
        g_ptr_array_add(r->outs, o);
    return o;
}

static void
dq_add(Run *r, const char *provider, int month, const char *measure, const char *reason,
       int64_t n)
{
    char mbuf[8] = "";
    if (month >= 0)
        month_format(month, mbuf);
    const char *parts[4] = {provider, mbuf, measure, reason};
    counter_add(r->dq, parts, &n);
}

static gboolean
in_range(const Run *r, PbcDate d)
{
    return d != PBC_NO_DATE && d >= r->range_start && d <= r->range_end;
}

static gboolean
is_practice_valid_nhs(const Unit *u)
{
    return !blank(u->nhs_number) && nhs_number_valid(u->nhs_number);
}

/* ---- pass 1 ------------------------------------------------------------- */

/* R-B1: one unit of year Y-1 towards its practice's historic spend at Y's prices. */
static void
historic_add(Run *r, const Unit *u)
{
    Unit copy = *u;
    /* Re-priced entirely with year Y's tables (R-B1); scope was judged as in Y-1. */
    pricing_price_in(r->tariffs, &copy, r->fy, 0);
    int64_t price = copy.price_pence == PBC_NONE ? 0 : copy.price_pence;
    /* A unit whose practice is not open on 1 April Y goes to its successor. */
    PbcDate apr1 = date_from_ymd(r->fy, 4, 1);
    const char *code = NULL;
    gboolean ok = practice_resolve(r->practices, u->practice_code, apr1, &code);
    int64_t *h = ok ? g_hash_table_lookup(r->historic, code) : NULL;
    if (h == NULL) {
        r->historic_left_out_units++;
        r->historic_left_out_pence += price;
        return;
    }
    *h += price;
}

static gboolean
pass1(Run *r, const char *priced, GError **error)
{
    g_autoptr(UnitIn) in = unit_in_open(priced, error);
    if (in == NULL)
        return FALSE;
    Unit u;
    int rc;
    uint64_t seq = 0;
    while ((rc = unit_in_next(in, &u, error)) > 0) {
        seq++;
        if (u.unfinished || u.charge_date == PBC_NO_DATE)
            continue;
        BudgetScope s = scope_of(&u);
        if (s != SCOPE_PRACTICE)
            continue;
        int64_t price = u.price_pence == PBC_NONE ? 0 : u.price_pence;
        if (in_range(r, u.charge_date) && is_practice_valid_nhs(&u))
            highcost_add(r->highcost, seq, u.nhs_number, u.charge_date, u.pod ? u.pod : "",
                         u.unit_id, price);
        if (r->set_budgets && fy_of_date(u.charge_date) == r->fy - 1)
            historic_add(r, &u);
    }
    if (rc < 0)
        return FALSE;
    highcost_compute(r->highcost);
    return TRUE;
}

/* ---- budgets (R-B1 … R-B5) --------------------------------------------- */

static gint
cmp_line(gconstpointer a, gconstpointer b)
{
    return strcmp(((const BudgetLine *)a)->practice_code, ((const BudgetLine *)b)->practice_code);
}

/* The PCT's practices open on 1 April of the year: the budget practices. */
static void
budget_practices_init(Run *r)
{
    PbcDate apr1 = date_from_ymd(r->fy, 4, 1);
    const GPtrArray *all = practice_list(r->practices);
    for (guint i = 0; i < all->len; i++) {
        const Practice *pr = g_ptr_array_index(all, i);
        if (strcmp(practice_pct(pr), r->pct) == 0 && practice_is_open(pr, apr1))
            g_hash_table_insert(r->historic, (gpointer)practice_code(pr), g_new0(int64_t, 1));
    }
}

static gboolean
set_budgets(Run *r, GError **error)
{
    char fybuf[8];
    fy_format(r->fy, fybuf);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, r->historic);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const Population *pop =
            r->populations ? population_get(r->populations, k, r->fy) : NULL;
        if (pop == NULL) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "budget practice \"%s\" has no population for %s in populations.csv\n"
                        "detail: R-B2 shares the envelope by needs-weighted population; every "
                        "practice of the PCT open on 1 April needs a row",
                        (const char *)k, fybuf);
            return FALSE;
        }
        BudgetLine line = {.practice_code = k,
                           .historic = *(int64_t *)v,
                           .weighted_population = pop->weighted};
        g_array_append_val(r->budget_lines, line);
    }
    g_array_sort(r->budget_lines, cmp_line);
    if (!budget_set((BudgetLine *)r->budget_lines->data, r->budget_lines->len, r->conf.uplift,
                    r->conf.pace, r->conf.contingency, &r->envelope, error))
        return FALSE;
    int64_t sum_b = 0, sum_f = 0, sum_a = 0, sum_c = 0;
    for (guint i = 0; i < r->budget_lines->len; i++) {
        BudgetLine *l = &g_array_index(r->budget_lines, BudgetLine, i);
        g_hash_table_insert(r->budget_of, (gpointer)l->practice_code,
                            g_memdup2(&l->annual_budget, sizeof(int64_t)));
        sum_b += l->budget;
        sum_f += l->fair_share;
        sum_a += l->annual_budget;
        sum_c += l->contingency;
    }
    recon(r, "budgets_add_up_to_envelope", fybuf, sum_b, r->envelope);
    recon(r, "fair_shares_add_up_to_envelope", fybuf, sum_f, r->envelope);
    recon(r, "indicative_plus_contingency_is_budget", fybuf, sum_a + sum_c, sum_b);
    if (r->historic_left_out_units > 0)
        pbc_warning("budget setting: %" G_GINT64_FORMAT " units of %04d/%02d (%" G_GINT64_FORMAT
                    " pence at %s prices) left out: their practice is not open on 1 April %d and "
                    "has no successor among the budget practices",
                    r->historic_left_out_units, r->fy - 1, r->fy % 100,
                    r->historic_left_out_pence, fybuf, r->fy);
    pbc_info("set budgets for %s: %u practices, envelope %" G_GINT64_FORMAT " pence", fybuf,
             r->budget_lines->len, r->envelope);
    return TRUE;
}

static gboolean
write_budgets(Run *r, GError **error)
{
    CsvOut *o = out_create(r, "budgets.csv", CSV_OUT_PUBLIC, budgets_header, error);
    if (o == NULL)
        return FALSE;
    char buf[32], fybuf[8];
    fy_format(r->fy, fybuf);
    for (guint i = 0; i < r->budget_lines->len; i++) {
        BudgetLine *l = &g_array_index(r->budget_lines, BudgetLine, i);
        csv_out_str(o, l->practice_code);
        csv_out_str(o, fybuf);
        csv_out_int(o, l->historic);
        csv_out_int(o, l->uplifted_historic);
        csv_out_int(o, l->fair_share);
        if (l->has_distance)
            csv_out_str(o, decimal_format(l->distance_micro, 6, buf));
        else
            csv_out_blank(o);
        csv_out_int(o, l->budget);
        csv_out_int(o, l->contingency);
        csv_out_int(o, l->annual_budget);
        csv_out_str(o, decimal_format(l->weighted_population, 6, buf));
        csv_out_end(o);
    }
    return TRUE;
}

/* ---- pass 2 ------------------------------------------------------------- */

static void
out_i64_or_blank(CsvOut *o, int64_t v)
{
    if (v == PBC_NONE)
        csv_out_blank(o);
    else
        csv_out_int(o, v);
}

static void
out_date(CsvOut *o, PbcDate d)
{
    char buf[11];
    if (d == PBC_NO_DATE)
        csv_out_blank(o);
    else
        csv_out_str(o, date_format(d, buf));
}

static void
write_priced_row(CsvOut *o, const Unit *u, BudgetScope s, int64_t practice, int64_t risk)
{
    char buf[32];
    gboolean apc = u->dataset == DS_APC;
    gboolean tariff = !blank(u->price_method) && (strcmp(u->price_method, "TARIFF") == 0
                                                  || strcmp(u->price_method, "TARIFF_SSE") == 0);
    csv_out_str(o, u->unit_id);
    csv_out_str(o, dataset_name(u->dataset));
    csv_out_str(o, u->pod);
    csv_out_str(o, u->provider_code);
    csv_out_str(o, u->nhs_number);
    csv_out_str(o, u->practice_code);
    csv_out_str(o, u->attribution_method);
    csv_out_str(o, u->cds_practice_code);
    out_date(o, u->attribution_date);
    out_date(o, u->charge_date);
    csv_out_str(o, month_format(date_month_key(u->charge_date), buf));
    csv_out_str(o, fy_format(u->fin_year > 0 ? u->fin_year : fy_of_date(u->charge_date), buf));
    csv_out_str(o, u->hrg);
    /* SPEC §7.1: treatment function blank for A&E; LOS and excess only for APC. */
    csv_out_str(o, u->dataset == DS_AE ? "" : u->treatment_function_code);
    if (apc && u->los >= 0)
        csv_out_int(o, u->los);
    else
        csv_out_blank(o);
    if (apc && u->excess_bed_days >= 0)
        csv_out_int(o, u->excess_bed_days);
    else
        csv_out_blank(o);
    out_i64_or_blank(o, u->base_pence);
    if (apc && tariff)
        csv_out_int(o, u->excess_pence == PBC_NONE ? 0 : u->excess_pence);
    else
        csv_out_blank(o);
    csv_out_int(o, u->sse_applied ? 1 : 0);
    if (tariff && u->mff_micro != PBC_NONE)
        csv_out_str(o, decimal_format(u->mff_micro, 6, buf));
    else
        csv_out_blank(o);
    csv_out_int(o, u->price_pence == PBC_NONE ? 0 : u->price_pence);
    csv_out_str(o, u->price_method);
    csv_out_str(o, scope_name(s));
    csv_out_int(o, practice);
    csv_out_int(o, risk);
    csv_out_str(o, u->original_practice_code);
    csv_out_str(o, u->exeter_practice_code);
    csv_out_str(o, u->exeter_reason);
    csv_out_str(o, u->cds_reason);
    csv_out_str(o, u->unattributed_reason);
    csv_out_int(o, u->mismatch ? 1 : 0);
    csv_out_str(o, u->practice_pct_code);
    csv_out_str(o, u->consortium_code);
    csv_out_str(o, u->commissioner_code);
    csv_out_str(o, u->admission_method);
    csv_out_str(o, u->patient_classification);
    out_date(o, u->admission_date);
    out_date(o, u->discharge_date);
    csv_out_str(o, u->first_attendance);
    csv_out_str(o, u->attended_or_dna);
    csv_out_str(o, u->referral_source);
    csv_out_str(o, u->ae_attendance_category);
    out_date(o, u->date_of_birth);
    csv_out_str(o, u->cds_unique_id);
    csv_out_int(o, u->episodes);
    csv_out_str(o, u->source_file);
    out_i64_or_blank(o, u->source_line);
    csv_out_end(o);
}

/* Data-quality counts of every unit, in range or not (R-G5). */
static void
dq_unit(Run *r, const Unit *u)
{
    int month = date_month_key(u->charge_date != PBC_NO_DATE ? u->charge_date
                                                             : u->attribution_date);
    if (u->unfinished) {
        dq_add(r, u->provider_code, month, "UNFINISHED", "", 1);
        return;
    }
    dq_add(r, u->provider_code, month, "UNITS", u->attribution_method, 1);
    if (!blank(u->attribution_method) && strcmp(u->attribution_method, "UNATTRIBUTED") == 0) {
        if (!blank(u->unattributed_reason))
            dq_add(r, u->provider_code, month, "UNATTRIBUTED", u->unattributed_reason, 1);
        else {
            g_autofree char *why = g_strdup_printf("%s/%s", u->exeter_reason ? u->exeter_reason : "",
                                                   u->cds_reason ? u->cds_reason : "");
            dq_add(r, u->provider_code, month, "UNATTRIBUTED", why, 1);
        }
    }
    if (u->mismatch)
        dq_add(r, u->provider_code, month, "MISMATCH", "", 1);
    if (!blank(u->price_method) && strcmp(u->price_method, "UNPRICED") == 0)
        dq_add(r, u->provider_code, month, "UNPRICED", u->pod, 1);
    if (!in_range(r, u->charge_date))
        dq_add(r, u->provider_code, month, "OUT_OF_RANGE", "", 1);
}

/*
 * Pass 2 on two threads.  Units come in batches that stay valid until the
 * next batch (unit_in_next_batch()); for each batch this thread works out
 * every unit's scope and high-cost split, hands the batch to the tally
 * thread, which does all the counting (data quality, scope totals,
 * practice-month, breakdowns, benchmarks, both audits: each structure
 * touched by it alone, units in order), and meanwhile writes the batch's
 * rows of priced_activity.csv; then it waits for the tally before reading
 * the next batch.  One stage thread formatting 2.6 GB of CSV while the
 * other core idled was most of the stage's time nationally.
 */
#define BATCH 8192

typedef struct {
    Run *r;
    Unit *units;
    BudgetScope *scope;
    int64_t *price, *practice, *risk;
    gboolean *counted;    /* finished and in the run's range */
    int n;
    GMutex lock;
    GCond cond;
    gboolean busy, quit;
} Tally;

/* The counting of one unit (R-G1 .. R-G5 totals, the audits). */
static void
tally_unit(Run *r, const Unit *u, gboolean counted, BudgetScope s, int64_t price,
           int64_t practice, int64_t risk)
{
    dq_unit(r, u);
    if (!counted)
        return;
    r->priced_rows++;
    r->units_in_range++;
    r->total_price += price;
    {
        const char *parts[1] = {scope_name(s)};
        int64_t sums[4] = {1, price, practice, risk};
        counter_add(r->scope_totals, parts, sums);
    }
    attr_audit_add(r->attr_audit, u);
    price_audit_add(r->price_audit, u);
    if (s != SCOPE_PRACTICE)
        return;
    char mbuf[8];
    month_format(date_month_key(u->charge_date), mbuf);
    int64_t sums[4] = {1, price, practice, risk};
    const char *pm[3] = {u->practice_code, mbuf, u->pod};
    counter_add(r->practice_month, pm, sums);
    const char *pp[1] = {u->practice_code};
    counter_add(r->per_practice, pp, sums);
    const char *b1[3] = {u->practice_code, "POD", u->pod};
    counter_add(r->breakdown, b1, sums);
    const char *b2[3] = {u->practice_code, "PROVIDER", u->provider_code};
    counter_add(r->breakdown, b2, sums);
    benchmarks_add(r->benchmarks, u);
}

static gpointer
tally_main(gpointer data)
{
    Tally *t = data;
    g_mutex_lock(&t->lock);
    for (;;) {
        while (!t->busy && !t->quit)
            g_cond_wait(&t->cond, &t->lock);
        if (!t->busy)
            break;
        g_mutex_unlock(&t->lock);
        for (int i = 0; i < t->n; i++)
            tally_unit(t->r, &t->units[i], t->counted[i], t->scope[i], t->price[i],
                       t->practice[i], t->risk[i]);
        g_mutex_lock(&t->lock);
        t->busy = FALSE;
        g_cond_broadcast(&t->cond);
    }
    g_mutex_unlock(&t->lock);
    return NULL;
}

static gboolean
pass2(Run *r, const char *priced, GError **error)
{
    g_autoptr(UnitIn) in = unit_in_open(priced, error);
    if (in == NULL)
        return FALSE;
    CsvOut *pa = out_create(r, "priced_activity.csv", CSV_OUT_PATIENT, priced_header, error);
    if (pa == NULL)
        return FALSE;
    Tally t = {.r = r};
    t.units = g_new(Unit, BATCH);
    t.scope = g_new(BudgetScope, BATCH);
    t.price = g_new(int64_t, BATCH);
    t.practice = g_new(int64_t, BATCH);
    t.risk = g_new(int64_t, BATCH);
    t.counted = g_new(gboolean, BATCH);
    g_mutex_init(&t.lock);
    g_cond_init(&t.cond);
    GThread *thread = g_thread_new("aggregate-tally", tally_main, &t);
    int n;
    uint64_t seq = 0;
    while ((n = unit_in_next_batch(in, t.units, BATCH, error)) > 0) {
        for (int i = 0; i < n; i++) {
            const Unit *u = &t.units[i];
            seq++;
            t.counted[i] = !u->unfinished && in_range(r, u->charge_date);
            if (!t.counted[i])
                continue;
            BudgetScope s = scope_of(u);
            int64_t price = u->price_pence == PBC_NONE ? 0 : u->price_pence;
            int64_t risk = 0, practice = 0;
            if (s == SCOPE_PRACTICE) {
                /* R-G2: units without a valid NHS number are wholly practice_pence. */
                risk = is_practice_valid_nhs(u) ? highcost_risk(r->highcost, seq) : 0;
                practice = price - risk;
            }
            t.scope[i] = s;
            t.price[i] = price;
            t.practice[i] = practice;
            t.risk[i] = risk;
        }
        g_mutex_lock(&t.lock);
        t.n = n;
        t.busy = TRUE;
        g_cond_broadcast(&t.cond);
        g_mutex_unlock(&t.lock);
        for (int i = 0; i < n; i++)
            if (t.counted[i])
                write_priced_row(pa, &t.units[i], t.scope[i], t.practice[i], t.risk[i]);
        g_mutex_lock(&t.lock);
        while (t.busy)
            g_cond_wait(&t.cond, &t.lock);
        g_mutex_unlock(&t.lock);
    }
    g_mutex_lock(&t.lock);
    t.quit = TRUE;
    g_cond_broadcast(&t.cond);
    g_mutex_unlock(&t.lock);
    g_thread_join(thread);
    g_mutex_clear(&t.lock);
    g_cond_clear(&t.cond);
    g_free(t.units);
    g_free(t.scope);
    g_free(t.price);
    g_free(t.practice);
    g_free(t.risk);
    g_free(t.counted);
    return n == 0;
}

/* ---- statements (R-G3) ---------------------------------------------------- */

typedef struct {
    Run *r;
    CsvOut *out;
    int64_t sum_pm_practice, sum_pm_risk, sum_pm_cost, sum_pm_units;
} PmCtx;

static void
pm_row(const char *const *parts, const int64_t *sums, gpointer data)
{
    PmCtx *c = data;
    for (int i = 0; i < 3; i++)
        csv_out_str(c->out, parts[i]);
    for (int i = 0; i < 4; i++)
        csv_out_int(c->out, sums[i]);
    csv_out_end(c->out);
    c->sum_pm_units += sums[0];
    c->sum_pm_cost += sums[1];
    c->sum_pm_practice += sums[2];
    c->sum_pm_risk += sums[3];
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
add_practice_key(const char *const *parts, const int64_t *sums, gpointer data)
{
    (void)sums;
    GHashTable *set = data;
    if (!g_hash_table_contains(set, parts[0]))
        g_hash_table_add(set, g_strdup(parts[0]));
}

static gboolean
write_statements(Run *r, CsvOut *st, int64_t *sum_spend, int64_t *sum_risk)
{
    /* The PCT's practices open at any time from 1 April to the month's end, and
     * any other practice of the PCT with PRACTICE units in the range. */
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const GPtrArray *all = practice_list(r->practices);
    for (guint i = 0; i < all->len; i++) {
        const Practice *pr = g_ptr_array_index(all, i);
        if (strcmp(practice_pct(pr), r->pct) != 0)
            continue;
        PbcDate open = practice_open_date(pr), close = practice_close_date(pr);
        if ((open == PBC_NO_DATE || open <= r->range_end)
            && (close == PBC_NO_DATE || close > r->range_start))
            g_hash_table_add(set, g_strdup(practice_code(pr)));
    }
    /* practices with PRACTICE units are the PCT's (R-A6), whatever their dates */
    counter_foreach_sorted(r->per_practice, add_practice_key, set);
    guint n = 0;
    g_autofree gpointer *codes = NULL;
    {
        GPtrArray *arr = g_ptr_array_new();
        GHashTableIter i2;
        gpointer key;
        g_hash_table_iter_init(&i2, set);
        while (g_hash_table_iter_next(&i2, &key, NULL))
            g_ptr_array_add(arr, key);
        n = arr->len;
        codes = g_ptr_array_free(arr, FALSE);
    }
    qsort(codes, n, sizeof *codes, (int (*)(const void *, const void *))cmp_str);
    char fybuf[8], mbuf[8];
    fy_format(r->fy, fybuf);
    month_format(r->period, mbuf);
    *sum_spend = *sum_risk = 0;
    for (guint i = 0; i < n; i++) {
        const char *code = codes[i];
        const char *pp[1] = {code};
        const int64_t *sums = counter_get(r->per_practice, pp);
        StatementFigures f = {0};
        if (r->ref_budgets) {
            if (!budget_ref_get(r->ref_budgets, code, r->fy, &f.annual_budget))
                f.annual_budget = 0;
        } else {
            const int64_t *b = g_hash_table_lookup(r->budget_of, code);
            f.annual_budget = b ? *b : 0;
        }
        f.spend_ytd = sums ? sums[2] : 0;
        f.risk_pool_ytd = sums ? sums[3] : 0;
        statement_compute(&f, r->m, r->conf.freed_up_share);
        *sum_spend += f.spend_ytd;
        *sum_risk += f.risk_pool_ytd;
        const Practice *pr = practice_lookup(r->practices, code);
        csv_out_str(st, code);
        csv_out_str(st, fybuf);
        csv_out_str(st, mbuf);
        csv_out_int(st, f.annual_budget);
        csv_out_int(st, f.budget_ytd);
        csv_out_int(st, f.spend_ytd);
        csv_out_int(st, f.variance_ytd);
        csv_out_int(st, f.forecast_outturn);
        csv_out_int(st, f.forecast_variance);
        csv_out_int(st, f.freed_up_practice);
        csv_out_int(st, f.freed_up_pct);
        csv_out_int(st, f.risk_pool_ytd);
        csv_out_str(st, pr ? practice_name(pr) : "");
        csv_out_str(st, pr ? practice_consortium(pr) : "");
        csv_out_int(st, sums ? sums[0] : 0);
        csv_out_end(st);
        const Population *pop = r->populations ? population_get(r->populations, code, r->fy)
                                               : NULL;
        benchmarks_practice(r->benchmarks, code, pop ? pop->weighted : 0);
    }
    g_hash_table_destroy(set);
    return TRUE;
}

/* ---- copies of the ingest stage's files ------------------------------------ */

/* Re-writes a CSV of the work directory into OUT (through libcsv, atomically). */
static gboolean
copy_csv(Run *r, const char *name, int mode, const char *const *header, uint64_t *rows,
         int64_t *sums, const int *sum_cols, int nsum, GError **error)
{
    g_autofree char *src = g_build_filename(r->p->work_dir, name, NULL);
    g_autoptr(CsvIn) in = csv_in_open(src, error);
    if (in == NULL || !csv_in_read_header(in, error))
        return FALSE;
    int idx[16];
    if (!csv_in_require(in, header, idx, error))
        return FALSE;
    CsvOut *o = out_create(r, name, mode, header, error);
    if (o == NULL)
        return FALSE;
    int rc;
    guint ncols = g_strv_length((char **)header);
    *rows = 0;
    while ((rc = csv_in_next(in, error)) > 0) {
        for (guint c = 0; c < ncols; c++)
            csv_out_strn(o, csv_in_field(in, idx[c]), csv_in_field_len(in, idx[c]));
        csv_out_end(o);
        (*rows)++;
        for (int s = 0; s < nsum; s++) {
            int64_t v = 0;
            decimal_parse(csv_in_field(in, idx[sum_cols[s]]), 0, &v);
            sums[s] += v;
        }
    }
    return rc == 0;
}

static gboolean
copy_ingest_outputs(Run *r, GError **error)
{
    uint64_t n;
    int64_t fr[4] = {0};
    const int fr_cols[4] = {2, 3, 4, 5};
    if (!copy_csv(r, "file_reconciliation.csv", CSV_OUT_PUBLIC, file_recon_header, &n, fr,
                  fr_cols, 4, error))
        return FALSE;
    /* R-I1, per file and in all */
    g_autofree char *src = g_build_filename(r->p->work_dir, "file_reconciliation.csv", NULL);
    {
        g_autoptr(CsvIn) in = csv_in_open(src, error);
        if (in == NULL || !csv_in_read_header(in, error))
            return FALSE;
        int idx[6];
        if (!csv_in_require(in, file_recon_header, idx, error))
            return FALSE;
        int rc;
        while ((rc = csv_in_next(in, error)) > 0) {
            int64_t v[4] = {0};
            for (int c = 0; c < 4; c++)
                decimal_parse(csv_in_field(in, idx[2 + c]), 0, &v[c]);
            recon(r, "file_rows_read_eq_accepted_superseded_rejected", csv_in_field(in, idx[0]),
                  v[0], v[1] + v[2] + v[3]);
        }
        if (rc < 0)
            return FALSE;
    }
    recon(r, "rows_read_eq_accepted_superseded_rejected", "ALL", fr[0], fr[1] + fr[2] + fr[3]);
    int64_t none = 0;
    if (!copy_csv(r, "rejects.csv", CSV_OUT_PATIENT, rejects_header, &n, &none, NULL, 0, error))
        return FALSE;
    recon(r, "rejects_file_rows_eq_rejected", "ALL", (int64_t)n, fr[3]);
    /* The deletions that stand, when ingest listed them (for the change report). */
    g_autofree char *del = g_build_filename(r->p->work_dir, "deletions.csv", NULL);
    if (g_file_test(del, G_FILE_TEST_EXISTS)
        && !copy_csv(r, "deletions.csv", CSV_OUT_PUBLIC, deletions_header, &n, &none, NULL, 0,
                     error))
        return FALSE;
    return TRUE;
}

/* Merges the ingest stage's row counts into the data-quality counter. */
static gboolean
load_ingest_dq(Run *r, GError **error)
{
    g_autofree char *src = g_build_filename(r->p->work_dir, "ingest_dq.csv", NULL);
    g_autoptr(CsvIn) in = csv_in_open(src, error);
    if (in == NULL || !csv_in_read_header(in, error))
        return FALSE;
    int idx[5];
    if (!csv_in_require(in, dq_header, idx, error))
        return FALSE;
    int rc;
    while ((rc = csv_in_next(in, error)) > 0) {
        const char *parts[4];
        for (int i = 0; i < 4; i++)
            parts[i] = csv_in_field(in, idx[i]);
        int64_t v = 0;
        decimal_parse(csv_in_field(in, idx[4]), 0, &v);
        counter_add(r->dq, parts, &v);
    }
    return rc == 0;
}

/* ---- reconciliation ----------------------------------------------------- */

typedef struct {
    CsvOut *out;
    int failed;
    GString *first_failure;
} ReconCtx;

static void
recon_row(const char *const *parts, const int64_t *sums, gpointer data)
{
    ReconCtx *c = data;
    gboolean ok = sums[0] == sums[1];
    csv_out_str(c->out, parts[0]);
    csv_out_str(c->out, parts[1]);
    csv_out_int(c->out, sums[0]);
    csv_out_int(c->out, sums[1]);
    csv_out_int(c->out, sums[0] - sums[1]);
    csv_out_str(c->out, ok ? "OK" : "FAIL");
    csv_out_end(c->out);
    if (!ok) {
        if (c->failed++ == 0)
            g_string_printf(c->first_failure, "%s (%s): %" G_GINT64_FORMAT " != %" G_GINT64_FORMAT,
                            parts[0], parts[1], sums[0], sums[1]);
    }
}

static void
scope_sum(const char *const *parts, const int64_t *sums, gpointer data)
{
    (void)parts;
    int64_t *acc = data;
    for (int i = 0; i < 4; i++)
        acc[i] += sums[i];
}

/* ---- run.ini ---------------------------------------------------------------- */

static char *
list_files(const char *dir, gboolean only_activity)
{
    if (dir == NULL)
        return g_strdup("");
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return g_strdup("");
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL) {
        if (n[0] == '.')
            continue;
        if (only_activity && !(g_str_has_suffix(n, ".csv") || g_str_has_suffix(n, ".gz")))
            continue;
        g_ptr_array_add(names, g_build_filename(dir, n, NULL));
    }
    g_dir_close(d);
    g_ptr_array_sort(names, cmp_str);
    g_ptr_array_add(names, NULL);
    char *joined = g_strjoinv(";", (char **)names->pdata);
    g_ptr_array_free(names, TRUE);
    return joined;
}

static gboolean
write_run_ini(Run *r, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    char buf[16];
    g_key_file_set_string(kf, "run", "pct", r->pct);
    g_key_file_set_string(kf, "run", "period", month_format(r->period, buf));
    g_key_file_set_string(kf, "run", "fin_year", fy_format(r->fy, buf));
    g_key_file_set_integer(kf, "run", "month_number", r->m);
    g_key_file_set_string(kf, "run", "range_start", date_format(r->range_start, buf));
    g_key_file_set_string(kf, "run", "range_end", date_format(r->range_end, buf));
    g_autofree char *in_abs = r->p->in_dir ? g_canonicalize_filename(r->p->in_dir, NULL) : NULL;
    g_autofree char *ref_abs = g_canonicalize_filename(r->p->ref_dir, NULL);
    g_key_file_set_string(kf, "run", "in_dir", in_abs ? in_abs : "");
    g_key_file_set_string(kf, "run", "ref_dir", ref_abs);
    g_autofree char *inputs = list_files(in_abs, TRUE);
    g_autofree char *refs = list_files(ref_abs, FALSE);
    g_key_file_set_string(kf, "run", "inputs", inputs);
    g_key_file_set_string(kf, "run", "references", refs);
    g_key_file_set_string(kf, "run", "budgets_source", r->ref_budgets ? "REF" : "RUN");
    /* Through csv_out like every output: atomic, every write checked, committed
     * with the others before statements.csv. */
    gsize len = 0;
    g_autofree char *text = g_key_file_to_data(kf, &len, NULL);
    CsvOut *o = out_create(r, "run.ini", CSV_OUT_PUBLIC, NULL, error);
    if (o == NULL)
        return FALSE;
    csv_out_raw(o, text, len);
    return TRUE;
}

/* ---- the run ------------------------------------------------------------------ */

static void
run_clear(Run *r)
{
    conf_clear(&r->conf);
    practice_table_free(r->practices);
    practice_year_free(r->populations);
    practice_year_free(r->ref_budgets);
    tariffs_free(r->tariffs);
    highcost_free(r->highcost);
    g_hash_table_destroy(r->historic);
    g_hash_table_destroy(r->budget_of);
    g_array_free(r->budget_lines, TRUE);
    counter_free(r->practice_month);
    counter_free(r->per_practice);
    counter_free(r->breakdown);
    counter_free(r->dq);
    counter_free(r->scope_totals);
    counter_free(r->recon_rows);
    benchmarks_free(r->benchmarks);
    attr_audit_free(r->attr_audit);
    price_audit_free(r->price_audit);
    for (guint i = 0; i < r->outs->len; i++)
        csv_out_abort(g_ptr_array_index(r->outs, i));
    g_ptr_array_free(r->outs, TRUE);
}

static gboolean
load_reference(Run *r, GError **error)
{
    g_autofree char *conf_path = ref_path(r, "pbc.conf");
    if (!conf_load(&r->conf, conf_path, TRUE, error))
        return FALSE;
    r->pct = r->p->pct ? r->p->pct : r->conf.pct;
    if (r->pct == NULL) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                    "no PCT given: set pct in \"%s\" or pass --pct", conf_path);
        return FALSE;
    }
    g_autofree char *prac = ref_find(r, "practices.csv");
    if (prac == NULL) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA, "could not open file \"%s/practices.csv\": "
                    "no such file", r->p->ref_dir);
        return FALSE;
    }
    r->practices = practice_table_load(prac, error);
    if (r->practices == NULL)
        return FALSE;
    g_autofree char *pop = ref_find(r, "populations.csv");
    if (pop && (r->populations = populations_load(pop, error)) == NULL)
        return FALSE;
    g_autofree char *bud = ref_find(r, "budgets.csv");
    if (bud && (r->ref_budgets = budgets_ref_load(bud, error)) == NULL)
        return FALSE;
    r->set_budgets = bud == NULL || r->p->budgets_only;
    if (r->set_budgets) {
        r->tariffs = tariffs_load(r->p->ref_dir, error);
        if (r->tariffs == NULL)
            return FALSE;
        if (r->ref_budgets && r->p->budgets_only) {
            practice_year_free(r->ref_budgets);
            r->ref_budgets = NULL;
        }
    }
    return TRUE;
}

gboolean
aggregate_run(const AggregateParams *p, GError **error)
{
    Run run = {.p = p};
    g_autofree char *priced = g_build_filename(p->work_dir, "priced.csv", NULL);
    g_autofree char *st_path = g_build_filename(p->out_dir, "statements.csv", NULL);
    CsvOut *st = NULL;
    Run *r = &run;
    gboolean ok = FALSE;
    conf_defaults(&r->conf);
    r->outs = g_ptr_array_new();
    r->historic = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    r->budget_of = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    r->budget_lines = g_array_new(FALSE, FALSE, sizeof(BudgetLine));
    r->practice_month = counter_new(3, 4);
    r->per_practice = counter_new(1, 4);
    r->breakdown = counter_new(3, 4);
    r->dq = counter_new(4, 1);
    r->scope_totals = counter_new(1, 4);
    r->recon_rows = counter_new(2, 2);
    r->benchmarks = benchmarks_new();
    r->attr_audit = attr_audit_new();
    r->price_audit = price_audit_new();

    if (!month_parse(p->period, &r->period)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "invalid period \"%s\": expected a month as YYYY-MM", p->period);
        goto out;
    }
    r->fy = fy_of_month(r->period);
    r->m = fy_month_number(r->period);
    r->range_start = date_from_ymd(r->fy, 4, 1);
    r->range_end = month_last_day(r->period);
    if (!load_reference(r, error))
        goto out;
    r->highcost = highcost_new(r->conf.high_cost_threshold);
    if (r->set_budgets)
        budget_practices_init(r);

    if (!pass1(r, priced, error))
        goto out;
    if (r->set_budgets) {
        if (!set_budgets(r, error) || !write_budgets(r, error))
            goto out;
    }
    if (p->budgets_only) {
        CsvOut *o = g_ptr_array_steal_index(r->outs, 0);
        ok = csv_out_commit(o, error);
        goto out;
    }
    if (!pass2(r, priced, error) || !load_ingest_dq(r, error) || !copy_ingest_outputs(r, error))
        goto out;

    /* practice_month.csv */
    CsvOut *pm = out_create(r, "practice_month.csv", CSV_OUT_PUBLIC, pm_header, error);
    if (pm == NULL)
        goto out;
    PmCtx pmc = {.r = r, .out = pm};
    counter_foreach_sorted(r->practice_month, pm_row, &pmc);

    CsvOut *bd = out_create(r, "statement_breakdown.csv", CSV_OUT_PUBLIC, bd_header, error);
    if (bd == NULL)
        goto out;
    counter_write(r->breakdown, bd);

    CsvOut *dq = out_create(r, "data_quality.csv", CSV_OUT_PUBLIC, dq_header, error);
    if (dq == NULL)
        goto out;
    counter_write(r->dq, dq);

    /* statements.csv is created now but committed last */
    st = csv_out_create(st_path, CSV_OUT_PUBLIC, st_header, error);
    if (st == NULL)
        goto out;
    int64_t sum_spend, sum_risk;
    write_statements(r, st, &sum_spend, &sum_risk);

    CsvOut *bm = out_create(r, "benchmarks.csv", CSV_OUT_PUBLIC, benchmarks_header(), error);
    if (bm == NULL) {
        csv_out_abort(st);
        goto out;
    }
    benchmarks_write(r->benchmarks, bm);

    /* the reconciliation identities (issue: every penny accounted for) */
    int64_t all[4] = {0};
    counter_foreach_sorted(r->scope_totals, scope_sum, all);
    const char *prac_key[1] = {"PRACTICE"};
    const int64_t *ps = counter_get(r->scope_totals, prac_key);
    int64_t prac_units = ps ? ps[0] : 0, prac_price = ps ? ps[1] : 0;
    int64_t prac_pp = ps ? ps[2] : 0, prac_rp = ps ? ps[3] : 0;
    recon(r, "units_in_range_eq_units_by_scope", "ALL", (int64_t)r->units_in_range, all[0]);
    recon(r, "priced_activity_rows_eq_units_in_range", "ALL", (int64_t)r->priced_rows,
          (int64_t)r->units_in_range);
    recon(r, "price_eq_practice_plus_risk_pool_plus_out_of_scope", "ALL", r->total_price,
          all[2] + all[3] + (all[1] - prac_price));
    recon(r, "practice_scope_price_eq_practice_plus_risk_pool", "PRACTICE", prac_price,
          prac_pp + prac_rp);
    recon(r, "practice_month_units_eq_practice_units", "PRACTICE", pmc.sum_pm_units, prac_units);
    recon(r, "practice_month_cost_eq_practice_price", "PRACTICE", pmc.sum_pm_cost, prac_price);
    recon(r, "practice_month_practice_pence_eq_statements_spend_ytd", "PRACTICE",
          pmc.sum_pm_practice, sum_spend);
    recon(r, "practice_month_risk_pool_eq_statements_risk_pool_ytd", "PRACTICE",
          pmc.sum_pm_risk, sum_risk);
    recon(r, "attribution_audit_units_eq_units_in_range", "ALL",
          (int64_t)attr_audit_units(r->attr_audit), (int64_t)r->units_in_range);
    recon(r, "pricing_audit_pence_eq_price", "ALL", price_audit_total_pence(r->price_audit),
          r->total_price);

    CsvOut *rc_out = out_create(r, "reconciliation.csv", CSV_OUT_PUBLIC, recon_header, error);
    if (rc_out == NULL) {
        csv_out_abort(st);
        goto out;
    }
    ReconCtx rcx = {.out = rc_out, .first_failure = g_string_new(NULL)};
    counter_foreach_sorted(r->recon_rows, recon_row, &rcx);
    if (rcx.failed) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                    "the run does not reconcile: %d check%s failed, first: %s", rcx.failed,
                    rcx.failed == 1 ? "" : "s", rcx.first_failure->str);
        g_string_free(rcx.first_failure, TRUE);
        csv_out_abort(st);
        goto out;
    }
    g_string_free(rcx.first_failure, TRUE);

    /* Audits write and rename their own files; then ours; statements last. */
    if (!attr_audit_write(r->attr_audit, p->out_dir, error)
        || !price_audit_write(r->price_audit, p->out_dir, error) || !write_run_ini(r, error)) {
        csv_out_abort(st);
        goto out;
    }
    /* A previous run's statements.csv must not stand beside a half-renamed set:
     * it goes first, and the new one is renamed into place last. */
    if (unlink(st_path) != 0 && errno != ENOENT) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not remove file \"%s\": %s", st_path,
                    g_strerror(errno));
        csv_out_abort(st);
        goto out;
    }
    while (r->outs->len > 0) {
        CsvOut *o = g_ptr_array_steal_index(r->outs, 0);
        if (!csv_out_commit(o, error)) {
            csv_out_abort(st);
            goto out;
        }
    }
    if (!csv_out_commit(st, error))
        goto out;
    pbc_info("wrote %" G_GUINT64_FORMAT " units of %s to %s: %" G_GINT64_FORMAT
             " pence, %" G_GINT64_FORMAT " against practice budgets",
             r->units_in_range, p->period, p->out_dir, r->total_price, prac_pp);
    ok = TRUE;
out:
    run_clear(r);
    return ok;
}
