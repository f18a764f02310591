/*
 * budget.h: indicative budget setting arithmetic (R-B2 … R-B4).
 *
 * Given each budget practice's historic spend (R-B1, computed by the caller)
 * and needs-weighted population, computes the envelope, uplifted historic,
 * fair share, budget, contingency and indicative budget, exactly: every
 * intermediate is a rational number held as 128-bit integers, and the two
 * roundings that must add up to the envelope (budgets, fair shares) use the
 * largest-remainder method, equal remainders favouring the practice code
 * first in byte order.
 */
#ifndef PBC_BUDGET_H
#define PBC_BUDGET_H

#include <glib.h>
#include <stdint.h>

typedef struct {
    /* inputs */
    const char *practice_code;
    int64_t historic;            /* pence */
    int64_t weighted_population; /* millionths */
    /* outputs */
    int64_t uplifted_historic;   /* round(h_p) */
    int64_t fair_share;          /* largest remainder */
    gboolean has_distance;       /* FALSE when the fair share is 0 */
    int64_t distance_micro;      /* (h_p − fair_p) / fair_p in millionths, rounded */
    int64_t budget;              /* largest remainder */
    int64_t contingency;         /* round(budget × contingency / 100) */
    int64_t annual_budget;       /* budget − contingency */
} BudgetLine;

/*
 * Sets budgets for lines[0..n).  uplift and contingency are percents in
 * millionths, pace a fraction in millionths (0..1e6).  *envelope gets
 * round(Σ historic × (1 + uplift / 100)).  Returns FALSE with
 * PBC_ERROR_DATA when the arithmetic would overflow 128 bits or the total
 * weighted population is 0 while the envelope is not.
 */
gboolean budget_set(BudgetLine *lines, guint n, int64_t uplift_micro, int64_t pace_micro,
                    int64_t contingency_micro, int64_t *envelope, GError **error);

/*
 * Largest-remainder rounding: values[i] = num[i] / den exactly (num >= 0),
 * returns in out[i] integers that add up to total, each floor or floor + 1;
 * the extra pennies go to the largest remainders, ties to the lower
 * codes[i] in byte order.  FALSE when total is out of reach.  Exposed for tests.
 */
gboolean budget_largest_remainder(const __int128 *num, __int128 den, const char *const *codes,
                                  guint n, int64_t total, int64_t *out);

#endif
