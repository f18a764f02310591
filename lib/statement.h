/*
 * statement.h: the figures of a practice's monthly statement (R-G3).
 */
#ifndef PBC_STATEMENT_H
#define PBC_STATEMENT_H

#include <glib.h>
#include <stdint.h>

typedef struct {
    /* inputs */
    int64_t annual_budget;   /* indicative budget after contingency, pence */
    int64_t spend_ytd;       /* Σ practice_pence */
    int64_t risk_pool_ytd;   /* Σ risk_pool_pence */
    /* outputs */
    int64_t budget_ytd;
    int64_t variance_ytd;
    int64_t forecast_outturn;
    int64_t forecast_variance;
    int64_t freed_up_practice;
    int64_t freed_up_pct;
} StatementFigures;

/*
 * Computes the outputs from the inputs for reporting month number m
 * (April = 1 .. March = 12) and the practice's freed-up share (percent in
 * millionths, default 70):
 *   budget_ytd = round(annual_budget × m / 12)
 *   variance_ytd = budget_ytd − spend_ytd
 *   forecast_outturn = round(spend_ytd × 12 / m)
 *   forecast_variance = annual_budget − forecast_outturn
 *   freed_up_practice = round(forecast_variance × share / 100) and
 *   freed_up_pct = forecast_variance − freed_up_practice when
 *   forecast_variance > 0, else both 0.
 */
void statement_compute(StatementFigures *s, int m, int64_t share_micro);

#endif
