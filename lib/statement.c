/*
 * statement.c: R-G3 arithmetic, integers only, round = halves away from zero.
 */
#include "statement.h"

#include "conf.h"
#include "decimal.h"

void
statement_compute(StatementFigures *s, int m, int64_t share_micro)
{
    g_assert(m >= 1 && m <= 12);
    s->budget_ytd = muldiv_round(s->annual_budget, m, 12);
    s->variance_ytd = s->budget_ytd - s->spend_ytd;
    s->forecast_outturn = muldiv_round(s->spend_ytd, 12, m);
    s->forecast_variance = s->annual_budget - s->forecast_outturn;
    if (s->forecast_variance > 0) {
        s->freed_up_practice = muldiv_round(s->forecast_variance, share_micro, 100 * PBC_MICRO);
        s->freed_up_pct = s->forecast_variance - s->freed_up_practice;
    } else {
        s->freed_up_practice = 0;
        s->freed_up_pct = 0;
    }
}
