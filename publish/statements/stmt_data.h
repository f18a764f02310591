/*
 * stmt_data.h: what the statement pages show, read from the database views.
 *
 * pbc-statements (docs/statements.md) renders the monthly statements of a
 * (PCT, reporting month) FROM THE DATABASE, after pbc-publish, so that what
 * practices read is what finance reads.  stmt_data_load() reads every view a
 * page needs (pbc.v_statement, v_statement_pod, v_statement_provider,
 * v_cumulative_spend, v_benchmarks, and 010's v_statement_budget,
 * v_statement_attribution, v_statement_top_patients, v_statement_consortium,
 * v_statement_pct; and 011's month end: v_period_status, v_statement_status,
 * v_statement_changes_pod, v_statement_prior_month, docs/month_end.md) in one
 * REPEATABLE READ READ ONLY transaction, so that the
 * pages and the charges files are one consistent snapshot even while a
 * publish replaces the month; the caller commits it after writing the
 * charges and changes files (stmt_charges.h, stmt_changes.h), which read in
 * the same transaction.
 *
 * Money stays integer pence; the database's decimals (rates, ratios,
 * populations) stay text for render_number.h to round exactly.  The rows a
 * role may not see (row-level security) are simply not there: a practice's
 * role renders only its own statement.
 */
#ifndef PBC_STMT_DATA_H
#define PBC_STMT_DATA_H

#include <glib.h>
#include <libpq-fe.h>
#include <stdint.h>

/* A month of the cumulative-spend chart (v_cumulative_spend). */
typedef struct {
    int month_number;          /* April = 1 */
    const char *month;         /* YYYY-MM */
    int64_t units;
    int64_t spend;             /* practice_pence of the month */
    int64_t cumulative;        /* practice_pence from April to this month */
    int64_t phased_budget;     /* round(annual_budget × m / 12) */
} StmtMonth;

/* A row of the POD or provider breakdown (v_statement_pod / _provider). */
typedef struct {
    const char *key;           /* POD code or provider code */
    const char *description;   /* the POD's description; NULL for providers */
    int64_t units;
    int64_t cost;              /* Σ price_pence */
    int64_t practice;          /* Σ practice_pence */
    int64_t risk_pool;         /* Σ risk_pool_pence */
} StmtBreakdown;

/* A benchmark measure (v_benchmarks, R-G4); decimals as the database prints them. */
typedef struct {
    const char *measure;
    const char *description;
    const char *count;         /* NULL where blank */
    const char *rate;          /* per 1,000 weighted population, or follow-ups per first */
    const char *pct_count;
    const char *pct_rate;
    const char *ratio;         /* practice rate / PCT rate */
    const char *weighted_population;     /* the practice's */
    const char *pct_weighted_population; /* the PCT's */
} StmtBenchmark;

/* A patient of the top ten (v_statement_top_patients). */
typedef struct {
    int rank;
    const char *nhs_number;
    int64_t units;
    int64_t cost;
    int64_t practice;
    int64_t risk_pool;
} StmtPatient;

/* Units by attribution method (v_statement_attribution). */
typedef struct {
    const char *method;        /* EXETER, EXETER_NEAREST, CDS */
    int64_t units;
    int64_t cost;
    int64_t mismatches;        /* R-A7 */
    int64_t handed_over;       /* R-A5 successor */
} StmtAttribution;

/* How the budget was set (v_statement_budget, R-B5). */
typedef struct {
    const char *set_by;        /* RUN, PCT or NONE */
    gboolean has_components;   /* RUN: the fields below are set */
    int64_t historic;
    int64_t uplifted_historic;
    int64_t fair_share;
    const char *distance;      /* ratio text, NULL when the fair share is 0 */
    int64_t budget;
    int64_t contingency;
    int64_t annual_budget;
    const char *weighted_population;
} StmtBudget;

/*
 * PRACTICE units and their spend (practice_pence) then and now: a POD's
 * since the previous run, a closed month's since it was signed off.  Always
 * from + delta = to (checked, stmt_data_load).
 */
typedef struct {
    int64_t from_units, to_units, delta_units;
    int64_t from_spend, to_spend, delta_spend;
} StmtThenNow;

/* A POD's change since the previous run (v_statement_changes_pod). */
typedef struct {
    const char *pod;
    const char *description;
    StmtThenNow v;
    int64_t delta_cost, delta_risk_pool;
} StmtChangePod;

/* Units of the change report by change and reason (counted from the changes file). */
typedef struct {
    const char *change;        /* ADDED, REMOVED, REATTRIBUTED, REPRICED, REDATED */
    const char *reason;        /* LATE_RECORD, PROVIDER_DELETION ... (may be NULL) */
    int64_t units;
    int64_t delta_spend;       /* as seen by the practice (v_statement_changes) */
} StmtChangeReason;

/* A restated month already closed (v_statement_prior_month): late data. */
typedef struct {
    const char *activity_month;  /* YYYY-MM */
    const char *closed_period;   /* the closed month whose load signed it off */
    int64_t closed_load_id;
    StmtThenNow v;               /* from: as signed off (closed_*); to: now */
    int64_t delta_risk_pool;
} StmtPriorMonth;

/* A statement's month end (v_statement_status): its month's state and what moved. */
typedef struct {
    const char *status;            /* CLOSED or PROVISIONAL */
    const char *closed_at;         /* YYYY-MM-DD HH:MM (Europe/London) when closed, else NULL */
    const char *closed_by;
    int64_t from_load_id;          /* the run this publication replaced; 0: first publication */
    int64_t units_changed;         /* its units in the change report (either side) */
    int64_t delta_spend;           /* change of spend_ytd since that run (changes_by_practice) */
    int64_t prior_month_rows;      /* restated practice-months of closed months */
    int64_t prior_month_delta;     /* their Σ delta_practice_pence */
} StmtMonthEnd;

/* The month's state (v_period_status, 011). */
typedef struct {
    const char *status;            /* CLOSED or PROVISIONAL; NULL: no period row visible */
    const char *closed_at;         /* YYYY-MM-DD HH:MM (Europe/London), NULL unless closed */
    const char *closed_by;
    const char *close_note;
    const char *reopened_at;       /* the last re-open, when provisional again; else NULL */
    const char *reopened_by;
    const char *reopen_reason;
} StmtPeriod;

/* The headline figures of a statement or of a total (R-G3). */
typedef struct {
    int64_t annual_budget;
    int64_t budget_ytd;
    int64_t spend_ytd;
    int64_t variance_ytd;
    int64_t forecast_outturn;
    int64_t forecast_variance;
    int64_t freed_up_practice;
    int64_t freed_up_pct;
    int64_t risk_pool_ytd;
    int64_t units_ytd;
    const char *spend_percent; /* spend as % of budget YTD, 1 decimal; NULL when budget 0 */
} StmtFigures;

/* One practice's statement. */
typedef struct {
    const char *code;
    const char *name;          /* may be NULL */
    const char *consortium;    /* may be NULL */
    int64_t load_id;
    StmtFigures fig;
    GArray *months;            /* StmtMonth, 1 .. m */
    int64_t phased[12];        /* phased budget of months 1 .. 12: the view's to m, R-G3's after */
    GArray *pods;              /* StmtBreakdown */
    GArray *providers;         /* StmtBreakdown */
    GArray *benchmarks;        /* StmtBenchmark */
    GArray *patients;          /* StmtPatient, at most 10 */
    GArray *attribution;       /* StmtAttribution */
    StmtBudget budget;
    StmtMonthEnd month_end;
    GArray *change_pods;       /* StmtChangePod, by POD */
    GArray *prior_months;      /* StmtPriorMonth, by activity month */
    /* Filled by stmt_charges_write(): */
    uint64_t charge_rows;
    int64_t charge_practice_pence;
    /* Filled by stmt_changes_write(): */
    uint64_t change_rows;
    int64_t change_delta_spend;
    GArray *change_reasons;    /* StmtChangeReason, in the file's order */
    char *file;                /* page file name, "<code>.html" */
    char *charges_file;        /* "<code>_charges.csv" */
    char *changes_file;        /* "<code>_changes.csv" */
} StmtPractice;

/* A consortium's or the PCT's totals. */
typedef struct {
    const char *code;          /* consortium code; the PCT code for the PCT */
    int practices;
    StmtFigures fig;
    GArray *months;            /* StmtMonth summed over the practices */
    int64_t phased[12];        /* the practices' phased budgets summed, months 1 .. 12 */
    GArray *pods;              /* StmtBreakdown summed over the practices */
    GArray *providers;
    GPtrArray *members;        /* StmtPractice *, not owned */
    int64_t delta_spend;       /* Σ the practices' month_end.delta_spend */
    int64_t prior_month_delta; /* Σ the practices' month_end.prior_month_delta */
    int changed;               /* practices whose statement has units in the change report */
    char *file;                /* "consortium_<code>.html" / "pct.html" */
} StmtSummary;

typedef struct {
    char *pct;
    char *period;              /* YYYY-MM */
    char *fin_year;            /* 2006/07 */
    int month_number;          /* April = 1 */
    StmtPeriod state;          /* provisional or closed, by whom (v_period_status) */
    int64_t from_load_id;      /* the run this publication replaced; 0: first publication */
    const char *published_at;  /* when the standing load finished, or NULL when not visible */
    GPtrArray *practices;      /* StmtPractice *, by consortium then code */
    GPtrArray *consortia;      /* StmtSummary *, by code; practices with no consortium in none */
    StmtSummary *total;        /* the PCT */
    GStringChunk *strings;     /* every const char * above */
} StmtData;

/*
 * Starts the read-only snapshot on conn (SET DateStyle ISO, BEGIN
 * ISOLATION LEVEL REPEATABLE READ READ ONLY) and reads the statements of
 * (pct, period).  Returns the data, owned by the caller (stmt_data_free), or
 * NULL with PBC_ERROR_DB set: a failed query (the views missing: migrations
 * 010 or 011 not applied), or no statement published for (pct, period) that
 * the user may see; or PBC_ERROR_DATA when the views disagree with each other
 * (a breakdown or the chart not adding up to spend_ytd, a change by POD or a
 * prior-month adjustment not adding up to the statement's month-end figures,
 * a statement whose month state differs from the month's).  The transaction
 * stays open either way; the caller ends it (stmt_data_end).
 */
StmtData *stmt_data_load(PGconn *conn, const char *pct, const char *period, GError **error);

/* Ends the snapshot transaction (COMMIT); FALSE with PBC_ERROR_DB. */
gboolean stmt_data_end(PGconn *conn, GError **error);

/* Frees; accepts NULL. */
void stmt_data_free(StmtData *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StmtData, stmt_data_free)

/* A safe file name stem for a code: letters, digits, '-' and '_' kept, others '_'. */
char *stmt_file_stem(const char *code);

/* Adds v into sum, field by field. */
void stmt_then_now_add(StmtThenNow *sum, const StmtThenNow *v);

/* The sum of a breakdown's rows (key and description NULL). */
StmtBreakdown stmt_breakdown_total(const GArray *rows);

#endif
