/*
 * tariff.h: the pricing reference tables of a REF directory (SPEC §3.2).
 *
 * The price stage (and the aggregate stage, when it re-prices last year's
 * units for budget setting, R-B1) loads every pricing table once with
 * tariffs_load(), then asks the lookups below for one financial year at a
 * time.  The tables are keyed by financial year (`fin_year` "2006/07", held
 * as its start year, 2006) so one REF directory can hold several years.
 *
 * Files read, each `name.csv` or `name.csv.gz` (the plain one first):
 *   tariff_apc.csv            fin_year, hrg, elective_tariff, day_case_tariff,
 *                             non_elective_tariff, elective_trim_days,
 *                             non_elective_trim_days, excess_bed_day_tariff,
 *                             sse_tariff
 *   tariff_op.csv             fin_year, treatment_function_code, first_tariff,
 *                             follow_up_tariff
 *   tariff_op_procedure.csv   fin_year, hrg, tariff            (optional file)
 *   tariff_ae.csv             fin_year, hrg, tariff
 *   tariff_params.csv         fin_year, sse_max_los, sse_min_age, sse_percent
 *   mff.csv                   fin_year, provider_code, mff
 *   local_prices.csv          fin_year, provider_code, pod, code, price
 *   exclusions.csv            fin_year, pod, code, scope
 *
 * Everything is exact: pounds become pence (money_parse), the MFF and the
 * SSE percentage become millionths; no floating point.  A blank price, trim
 * point or percentage is *absent*, never zero.  Bad reference data is fatal:
 * PBC_ERROR_REFDATA naming the file, the line and the column (duplicate key,
 * negative or malformed value, an MFF outside 0.5..2.0, a malformed
 * fin_year, a missing required column or file).
 */
#ifndef PBC_TARIFF_H
#define PBC_TARIFF_H

#include <glib.h>
#include <stdint.h>

/* A blank price (absent, not zero): the same sentinel as unit.h's PBC_NONE. */
#define TARIFF_NONE INT64_MIN

/* The MFF bounds a loaded value must lie within, in millionths (inclusive). */
#define TARIFF_MFF_MIN 500000
#define TARIFF_MFF_MAX 2000000

/* One HRG's admitted patient care prices for one year (tariff_apc.csv). */
typedef struct {
    int64_t elective;          /* pence, TARIFF_NONE when blank */
    int64_t day_case;          /* pence, TARIFF_NONE when blank (R-P2: elective applies) */
    int64_t non_elective;      /* pence, TARIFF_NONE when blank */
    int elective_trim;         /* days, -1 when blank (R-P3: no long-stay payment) */
    int non_elective_trim;     /* days, -1 when blank */
    int64_t excess_bed_day;    /* pence per day, TARIFF_NONE when blank */
    int64_t sse;               /* pence, TARIFF_NONE when blank (R-P5: percentage applies) */
} TariffApc;

/* One treatment function's outpatient prices for one year (tariff_op.csv). */
typedef struct {
    int64_t first;             /* pence, TARIFF_NONE when blank */
    int64_t follow_up;         /* pence, TARIFF_NONE when blank */
} TariffOp;

/* The short-stay emergency rule of one year (tariff_params.csv, R-P5). */
typedef struct {
    int sse_max_los;           /* days; -1 when blank (then no SSE that year) */
    int sse_min_age;           /* completed years; 0 when blank (any age) */
    int64_t sse_percent;       /* percent in millionths (70.5 -> 70500000); TARIFF_NONE when blank */
} TariffParams;

typedef struct Tariffs Tariffs;

/*
 * Loads the pricing tables of ref_dir.  Returns a new Tariffs owned by the
 * caller (free with tariffs_free()), or NULL with error set: PBC_ERROR_REFDATA
 * for a missing file or bad content (message names file, line and column),
 * PBC_ERROR_IO / PBC_ERROR_FORMAT for unreadable files or corrupt gzip.
 * Only tariff_op_procedure.csv may be absent.
 */
Tariffs *tariffs_load(const char *ref_dir, GError **error);

/* Frees t; accepts NULL. */
void tariffs_free(Tariffs *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Tariffs, tariffs_free)

/*
 * The paths of the files read, in load order (for run.ini `references`).
 * NULL-terminated, owned by t.
 */
const char *const *tariffs_files(const Tariffs *t);

/* The HRG's APC prices in year fy, or NULL when the HRG has no row. */
const TariffApc *tariff_apc_lookup(const Tariffs *t, int fy, const char *hrg);

/* The treatment function's OP prices in year fy, or NULL when it has no row. */
const TariffOp *tariff_op_lookup(const Tariffs *t, int fy, const char *tfc);

/*
 * The outpatient procedure tariff of an HRG in year fy (pence), or
 * TARIFF_NONE when the HRG has no row or its price is blank.
 */
int64_t tariff_op_procedure_lookup(const Tariffs *t, int fy, const char *hrg);

/* The A&E tariff of an HRG in year fy (pence), or TARIFF_NONE. */
int64_t tariff_ae_lookup(const Tariffs *t, int fy, const char *hrg);

/* The year's SSE parameters, or NULL when tariff_params.csv has no row for fy. */
const TariffParams *tariff_params_lookup(const Tariffs *t, int fy);

/*
 * The MFF of exactly provider_code in year fy, in millionths; 1000000 (an
 * MFF of 1) when not listed.  A 5-character site code does not inherit its
 * 3-character trust's MFF (R-P6).
 */
int64_t tariff_mff(const Tariffs *t, int fy, const char *provider_code);

/*
 * The local price (pence) for (fy, pod, code): the provider's own row of
 * local_prices.csv, else the row for provider "*" (R-P7).  TARIFF_NONE when
 * neither exists, or code is blank.
 */
int64_t tariff_local_price(const Tariffs *t, int fy, const char *provider_code,
                           const char *pod, const char *code);

/*
 * TRUE when exclusions.csv has a PCT_HELD row for (fy, pod, code) or
 * (fy, "*", code) (R-P8).  Rows of other scopes were dropped at load.
 * FALSE for a blank code.
 */
gboolean tariff_pct_held(const Tariffs *t, int fy, const char *pod, const char *code);

/* The national tables a year may lack, for tariff_year_has(). */
typedef enum { TARIFF_TABLE_APC, TARIFF_TABLE_OP, TARIFF_TABLE_AE } TariffTable;

/* TRUE when the table has at least one row for year fy. */
gboolean tariff_year_has(const Tariffs *t, TariffTable table, int fy);

/*
 * Logs, once per (table, year) for the life of t, a warning that year fy has
 * no rows in that table, so its activity is priced locally or left
 * unpriced (R-P7).  t is logically const: only its warned-once set changes,
 * so pricing with one Tariffs from several threads at once needs a lock
 * around this call (the lookups themselves are read-only and thread-safe).
 */
void tariff_warn_missing_year(const Tariffs *t, TariffTable table, int fy);

#endif
