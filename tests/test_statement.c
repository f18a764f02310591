/*
 * test_statement.c: the figures of a monthly statement (lib/statement.c, R-G3).
 *
 * R-G3, with m the reporting month's number (April = 1) and round = halves
 * away from zero:
 *   budget_ytd        = round(annual_budget × m / 12)
 *   variance_ytd      = budget_ytd − spend_ytd
 *   forecast_outturn  = round(spend_ytd × 12 / m)
 *   forecast_variance = annual_budget − forecast_outturn
 *   freed_up_practice = round(forecast_variance × share / 100) and
 *   freed_up_pct      = forecast_variance − freed_up_practice, when
 *   forecast_variance > 0; otherwise both 0.
 * Every row below is worked out by hand in its comment.
 */
#include "conf.h"
#include "statement.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <signal.h>

typedef struct {
    int64_t annual, spend;
    int m;
    int64_t share_micro;
    /* expected */
    int64_t budget_ytd, variance_ytd, forecast, fvar, freed_practice, freed_pct;
    char why[96];
} StCase;

#define SHARE70 (70 * PBC_MICRO)

static StCase st_cases[] = {
    /* 16531 × 6 / 12 = 8265.5 -> 8266; no spend: forecast 0, fvar 16531;
     * 16531 × 0.7 = 11571.7 -> 11572, PCT 16531 − 11572 = 4959 */
    {16531, 0, 6, SHARE70, 8266, 8266, 0, 16531, 11572, 4959, "halves: 8265.5 -> 8266"},
    /* m = 1: 120000 / 12 = 10000; forecast 10001 × 12 = 120012; fvar −12 -> no freed-up */
    {120000, 10001, 1, SHARE70, 10000, -1, 120012, -12, 0, 0, "m = 1, overspend"},
    /* m = 12: budget_ytd = the annual budget; forecast = spend; fvar 1;
     * 1 × 0.7 = 0.7 -> 1, PCT 0 */
    {120000, 119999, 12, SHARE70, 120000, 1, 119999, 1, 1, 0, "m = 12, a penny under"},
    /* forecast exactly on budget: fvar 0 -> both 0 */
    {120000, 60000, 6, SHARE70, 60000, 0, 120000, 0, 0, 0, "zero forecast variance"},
    /* negative forecast variance: 700 × 12 / 7 = 1200 > 1000 -> both 0;
     * budget_ytd 1000 × 7 / 12 = 583.33 -> 583, variance 583 − 700 = −117 */
    {1000, 700, 7, SHARE70, 583, -117, 1200, -200, 0, 0, "negative forecast variance"},
    /* the freed-up split with share 70: 87190 × 0.7 = 61033 exactly, PCT 26157;
     * budget_ytd 87190 / 12 = 7265.83 -> 7266 */
    {87190, 0, 1, SHARE70, 7266, 7266, 0, 87190, 61033, 26157, "87190 -> 61033 / 26157"},
    /* freed-up halves: fvar 5 × 0.7 = 3.5 -> 4, PCT 1;
     * budget_ytd 5 × 3 / 12 = 1.25 -> 1 */
    {5, 0, 3, SHARE70, 1, 1, 0, 5, 4, 1, "freed-up 3.5 -> 4"},
    /* fvar 15 × 0.5 = 7.5 -> 8, PCT 7; budget_ytd 15 × 2 / 12 = 2.5 -> 3 */
    {15, 0, 2, 50 * PBC_MICRO, 3, 3, 0, 15, 8, 7, "share 50, 7.5 -> 8"},
    /* forecast halves: 1 × 12 / 8 = 1.5 -> 2; budget_ytd 100 × 8 / 12 = 66.67 -> 67 */
    {100, 1, 8, SHARE70, 67, 66, 2, 98, 69, 29, "forecast 1.5 -> 2; 98 × 0.7 = 68.6 -> 69"},
    /* a credit (negative spend): −1 × 12 / 8 = −1.5 -> −2; fvar 102, 71.4 -> 71 */
    {100, -1, 8, SHARE70, 67, 68, -2, 102, 71, 31, "negative halves away from zero"},
    /* a negative budget: −1 × 6 / 12 = −0.5 -> −1 */
    {-1, 0, 6, SHARE70, -1, -1, 0, -1, 0, 0, "negative budget half"},
    /* share 0 and 100 */
    {1200, 0, 12, 0, 1200, 1200, 0, 1200, 0, 1200, "share 0: all to the PCT"},
    {1200, 0, 12, 100 * PBC_MICRO, 1200, 1200, 0, 1200, 1200, 0, "share 100: all to the practice"},
    /* a fractional share: 1000 × 70.5 % = 705 */
    {1000, 0, 12, 70500000, 1000, 1000, 0, 1000, 705, 295, "share 70.5"},
    /* zeros */
    {0, 0, 5, SHARE70, 0, 0, 0, 0, 0, 0, "no budget, no spend"},
    /* no budget but spend: 5000 × 12 / 9 = 6666.67 -> 6667 */
    {0, 5000, 9, SHARE70, 0, -5000, 6667, -6667, 0, 0, "a practice with no budget"},
    /* large values stay exact: £10m budget, £6m spend at month 9:
     * budget_ytd 1e9 × 9 / 12 = 750000000; forecast 6e8 × 12 / 9 = 8e8 exactly;
     * fvar 2e8; 1.4e8 / 6e7 */
    {1000000000, 600000000, 9, SHARE70, 750000000, 150000000, 800000000, 200000000, 140000000,
     60000000, "£10m"},
};

ParameterizedTestParameters(statement, compute)
{
    return cr_make_param_array(StCase, st_cases, G_N_ELEMENTS(st_cases));
}

/* R-G3 */
ParameterizedTest(StCase *c, statement, compute)
{
    StatementFigures s = {.annual_budget = c->annual, .spend_ytd = c->spend, .risk_pool_ytd = 77};
    statement_compute(&s, c->m, c->share_micro);
    cr_assert_eq(s.budget_ytd, c->budget_ytd, "%s: budget_ytd %" G_GINT64_FORMAT, c->why, s.budget_ytd);
    cr_assert_eq(s.variance_ytd, c->variance_ytd, "%s: variance_ytd %" G_GINT64_FORMAT, c->why,
                 s.variance_ytd);
    cr_assert_eq(s.forecast_outturn, c->forecast, "%s: forecast %" G_GINT64_FORMAT, c->why,
                 s.forecast_outturn);
    cr_assert_eq(s.forecast_variance, c->fvar, "%s: forecast_variance %" G_GINT64_FORMAT, c->why,
                 s.forecast_variance);
    cr_assert_eq(s.freed_up_practice, c->freed_practice, "%s: freed_up_practice %" G_GINT64_FORMAT,
                 c->why, s.freed_up_practice);
    cr_assert_eq(s.freed_up_pct, c->freed_pct, "%s: freed_up_pct %" G_GINT64_FORMAT, c->why,
                 s.freed_up_pct);
    /* inputs untouched; the two freed-up parts add up to the forecast variance */
    cr_assert_eq(s.annual_budget, c->annual);
    cr_assert_eq(s.spend_ytd, c->spend);
    cr_assert_eq(s.risk_pool_ytd, 77);
    if (s.forecast_variance > 0)
        cr_assert_eq(s.freed_up_practice + s.freed_up_pct, s.forecast_variance);
}

/* R-G3 budget_ytd for every month of the year of one budget (m = 1 .. 12). */
Test(statement, budget_ytd_every_month)
{
    /* 16531 × m / 12 by hand: 1377.58 2755.17 4132.75 5510.33 6887.92 8265.5
     * 9643.08 11020.67 12398.25 13775.83 15153.42 16531 */
    static const int64_t want[13] = {0,    1378,  2755,  4133,  5510,  6888, 8266,
                                     9643, 11021, 12398, 13776, 15153, 16531};
    for (int m = 1; m <= 12; m++) {
        StatementFigures s = {.annual_budget = 16531};
        statement_compute(&s, m, SHARE70);
        cr_assert_eq(s.budget_ytd, want[m], "m = %d: %" G_GINT64_FORMAT, m, s.budget_ytd);
    }
}

static void
quiet(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

/* m outside 1..12 is a programmer error. */
Test(statement, month_zero_asserts, .signal = SIGABRT, .init = quiet)
{
    StatementFigures s = {0};
    statement_compute(&s, 0, SHARE70);
}

Test(statement, month_thirteen_asserts, .signal = SIGABRT, .init = quiet)
{
    StatementFigures s = {0};
    statement_compute(&s, 13, SHARE70);
}
