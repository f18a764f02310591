/*
 * test_budget.c: indicative budget arithmetic (lib/budget.c, R-B2 … R-B5).
 *
 * R-B2 envelope = round(Σ historic × (1 + uplift / 100)); fair_share_p =
 * envelope × W_p / Σ W.  R-B3 budget_p = h_p + pace × (fair_p − h_p) with
 * h_p = historic_p × (1 + uplift / 100), from the exact fair share; budgets
 * and fair shares each rounded by largest remainder to add up to the
 * envelope, equal remainders to the practice code first in byte order.
 * R-B4 contingency_p = round(budget_p × contingency / 100) on the rounded
 * budget; annual budget = budget − contingency.  R-B5 distance from target
 * (h_p − fair_p) / fair_p, blank when the fair share is 0.
 *
 * The two-practice example, worked by hand (uplift 2.5 %, pace 0.25,
 * contingency 3 %; A historic 0, weighted population 5100.5; B historic
 * 104321 p, 2900):
 *   envelope = round(104321 × 1.025) = round(106929.025) = 106929
 *   Σ W = 8000.5
 *   fair A = 106929 × 5100.5 / 8000.5 = 68169.660   floor 68169
 *   fair B = 106929 × 2900   / 8000.5 = 38759.340   floor 38759
 *     floors add to 106928: the one penny goes to the larger remainder, A
 *     -> 68170 / 38759
 *   h A = 0, h B = 106929.025 (uplifted_historic 0 / 106929)
 *   budget A = 0 + 0.25 × 68169.660 = 17042.415                 floor 17042
 *   budget B = 106929.025 + 0.25 × (38759.340 − 106929.025)
 *            = 89886.604                                        floor 89886
 *     floors add to 106928: the penny goes to B (.604 > .415) -> 17042 / 89887
 *   contingency A = round(17042 × 0.03) = round(511.26)  = 511  -> 16531
 *   contingency B = round(89887 × 0.03) = round(2696.61) = 2697 -> 87190
 *   distance A = (0 − 68169.660) / 68169.660 = −1.000000
 *   distance B = (106929.025 − 38759.340) / 38759.340 = 1.7587937 -> 1.758794
 */
#include "budget.h"
#include "conf.h"
#include "log.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

Test(budget, two_practice_example)
{
    BudgetLine l[2] = {
        {.practice_code = "A81001", .historic = 0, .weighted_population = 5100500000LL},
        {.practice_code = "A81002", .historic = 104321, .weighted_population = 2900 * PBC_MICRO},
    };
    int64_t envelope = -1;
    g_autoptr(GError) e = NULL;
    cr_assert(budget_set(l, 2, 2500000, 250000, 3 * PBC_MICRO, &envelope, &e), "%s",
              e ? e->message : "");
    cr_assert_eq(envelope, 106929);
    cr_assert_eq(l[0].uplifted_historic, 0);
    cr_assert_eq(l[1].uplifted_historic, 106929);
    cr_assert_eq(l[0].fair_share, 68170);
    cr_assert_eq(l[1].fair_share, 38759);
    cr_assert_eq(l[0].budget, 17042);
    cr_assert_eq(l[1].budget, 89887);
    cr_assert_eq(l[0].contingency, 511);
    cr_assert_eq(l[1].contingency, 2697);
    cr_assert_eq(l[0].annual_budget, 16531);
    cr_assert_eq(l[1].annual_budget, 87190);
    cr_assert(l[0].has_distance && l[1].has_distance);
    cr_assert_eq(l[0].distance_micro, -1000000);
    cr_assert_eq(l[1].distance_micro, 1758794);
    /* R-B3: each rounded set adds up to the envelope */
    cr_assert_eq(l[0].fair_share + l[1].fair_share, envelope);
    cr_assert_eq(l[0].budget + l[1].budget, envelope);
    /* the inputs are untouched */
    cr_assert_eq(l[1].historic, 104321);
    cr_assert_str_eq(l[0].practice_code, "A81001");
}

/* The same two practices given in the other order get the same figures. */
Test(budget, order_of_lines_does_not_matter)
{
    BudgetLine l[2] = {
        {.practice_code = "A81002", .historic = 104321, .weighted_population = 2900 * PBC_MICRO},
        {.practice_code = "A81001", .historic = 0, .weighted_population = 5100500000LL},
    };
    int64_t envelope;
    cr_assert(budget_set(l, 2, 2500000, 250000, 3 * PBC_MICRO, &envelope, NULL));
    cr_assert_eq(l[1].fair_share, 68170);
    cr_assert_eq(l[0].fair_share, 38759);
    cr_assert_eq(l[1].budget, 17042);
    cr_assert_eq(l[0].budget, 89887);
    cr_assert_eq(l[1].annual_budget, 16531);
    cr_assert_eq(l[0].annual_budget, 87190);
}

/*
 * Equal remainders go to the practice code first in byte order.  Three
 * practices, equal populations, historic 100, 100 and 101, no uplift:
 * envelope 301, fair shares 100.333 each -> floors add to 300, the penny to
 * the lowest code.  Codes given out of order: "C", "A", "B" -> A gets 101.
 */
Test(budget, equal_remainders_to_lower_code)
{
    BudgetLine l[3] = {
        {.practice_code = "C", .historic = 100, .weighted_population = 1000 * PBC_MICRO},
        {.practice_code = "A", .historic = 100, .weighted_population = 1000 * PBC_MICRO},
        {.practice_code = "B", .historic = 101, .weighted_population = 1000 * PBC_MICRO},
    };
    int64_t envelope;
    cr_assert(budget_set(l, 3, 0, PBC_MICRO, 0, &envelope, NULL));
    cr_assert_eq(envelope, 301);
    cr_assert_eq(l[1].fair_share, 101, "A, the lowest code, takes the penny");
    cr_assert_eq(l[2].fair_share, 100);
    cr_assert_eq(l[0].fair_share, 100);
    /* pace 1: the budget is the fair share, rounded the same way */
    cr_assert_eq(l[1].budget, 101);
    cr_assert_eq(l[2].budget, 100);
    cr_assert_eq(l[0].budget, 100);
}

/* Byte order, not alphabetical: "B81001" < "a81001" (upper case first). */
Test(budget, tie_byte_order_of_codes)
{
    BudgetLine l[2] = {
        {.practice_code = "a81001", .historic = 0, .weighted_population = PBC_MICRO},
        {.practice_code = "B81001", .historic = 1, .weighted_population = PBC_MICRO},
    };
    int64_t envelope;
    cr_assert(budget_set(l, 2, 0, PBC_MICRO, 0, &envelope, NULL));
    /* envelope 1, fair shares 0.5 each: the penny to "B81001" */
    cr_assert_eq(envelope, 1);
    cr_assert_eq(l[1].fair_share, 1);
    cr_assert_eq(l[0].fair_share, 0);
}

/* budget_largest_remainder directly. */
typedef struct {
    int64_t num[4];
    int64_t den;
    char codes[4][8];
    guint n;
    int64_t total;
    gboolean ok;
    int64_t out[4];
    char why[64];
} LrCase;

static LrCase lr_cases[] = {
    {{1, 1, 1}, 3, {"C", "A", "B"}, 3, 1, TRUE, {0, 1, 0}, "thirds: the penny to A"},
    {{2, 2, 2}, 3, {"C", "A", "B"}, 3, 2, TRUE, {0, 1, 1}, "two pennies: A then B"},
    {{7, 5, 9}, 4, {"X", "Y", "Z"}, 3, 5, TRUE, {2, 1, 2}, "1.75 1.25 2.25: X (.75) first"},
    {{6, 6}, 4, {"P2", "P1"}, 2, 3, TRUE, {1, 2}, "1.5 each: P1"},
    {{10, 20}, 10, {"A", "B"}, 2, 3, TRUE, {1, 2}, "exact, nothing to share"},
    {{10, 20}, 10, {"A", "B"}, 2, 4, TRUE, {2, 2}, "exact values, one extra penny: A"},
    {{10, 20}, 10, {"A", "B"}, 2, 6, FALSE, {0}, "total out of reach (more than n pennies)"},
    {{10, 20}, 10, {"A", "B"}, 2, 2, FALSE, {0}, "total below the floors"},
    {{0}, 1, {""}, 0, 0, TRUE, {0}, "no lines"},
};

ParameterizedTestParameters(budget, largest_remainder)
{
    return cr_make_param_array(LrCase, lr_cases, G_N_ELEMENTS(lr_cases));
}

ParameterizedTest(LrCase *c, budget, largest_remainder)
{
    __int128 num[4];
    const char *codes[4];
    int64_t out[4] = {-1, -1, -1, -1};
    for (guint i = 0; i < 4; i++) {
        num[i] = c->num[i];
        codes[i] = c->codes[i];
    }
    gboolean ok = budget_largest_remainder(num, c->den, codes, c->n, c->total, out);
    cr_assert_eq(ok, c->ok, "%s", c->why);
    if (!ok)
        return;
    int64_t sum = 0;
    for (guint i = 0; i < c->n; i++) {
        cr_assert_eq(out[i], c->out[i], "%s: out[%u] = %" G_GINT64_FORMAT, c->why, i, out[i]);
        sum += out[i];
    }
    cr_assert_eq(sum, c->total);
}

/* Pace 0: the budget is the uplifted historic (rounded to add up). */
Test(budget, pace_zero)
{
    /* uplift 10 %: h = 1100.0, 2200.0, 0; envelope 3300; populations 1:1:1 */
    BudgetLine l[3] = {
        {.practice_code = "A", .historic = 1000, .weighted_population = PBC_MICRO},
        {.practice_code = "B", .historic = 2000, .weighted_population = PBC_MICRO},
        {.practice_code = "C", .historic = 0, .weighted_population = PBC_MICRO},
    };
    int64_t envelope;
    cr_assert(budget_set(l, 3, 10 * PBC_MICRO, 0, 3 * PBC_MICRO, &envelope, NULL));
    cr_assert_eq(envelope, 3300);
    cr_assert_eq(l[0].budget, 1100);
    cr_assert_eq(l[1].budget, 2200);
    cr_assert_eq(l[2].budget, 0);
    /* fair shares 1100 each exactly */
    cr_assert(l[0].fair_share == 1100 && l[1].fair_share == 1100 && l[2].fair_share == 1100);
    /* contingency 3 %: 33, 66, 0 */
    cr_assert(l[0].contingency == 33 && l[1].contingency == 66 && l[2].contingency == 0);
    cr_assert(l[0].annual_budget == 1067 && l[1].annual_budget == 2134 && l[2].annual_budget == 0);
    /* distance: (1100 − 1100) / 1100 = 0; (2200 − 1100) / 1100 = 1; (0 − 1100) / 1100 = −1 */
    cr_assert_eq(l[0].distance_micro, 0);
    cr_assert_eq(l[1].distance_micro, PBC_MICRO);
    cr_assert_eq(l[2].distance_micro, -PBC_MICRO);
}

/* Pace 1: the budget is the fair share. */
Test(budget, pace_one)
{
    /* envelope 1000; populations 1 : 2 -> 333.33 / 666.67 -> 333 / 667 */
    BudgetLine l[2] = {
        {.practice_code = "A", .historic = 900, .weighted_population = PBC_MICRO},
        {.practice_code = "B", .historic = 100, .weighted_population = 2 * PBC_MICRO},
    };
    int64_t envelope;
    cr_assert(budget_set(l, 2, 0, PBC_MICRO, 0, &envelope, NULL));
    cr_assert_eq(envelope, 1000);
    cr_assert(l[0].fair_share == 333 && l[1].fair_share == 667);
    cr_assert(l[0].budget == 333 && l[1].budget == 667);
    cr_assert(l[0].contingency == 0 && l[0].annual_budget == 333);
}

/* With no historic spend the envelope is 0 and everything is 0; distance blank. */
Test(budget, envelope_zero)
{
    BudgetLine l[2] = {
        {.practice_code = "A", .historic = 0, .weighted_population = 1234 * PBC_MICRO},
        {.practice_code = "B", .historic = 0, .weighted_population = 99 * PBC_MICRO},
    };
    int64_t envelope = -1;
    g_autoptr(GError) e = NULL;
    cr_assert(budget_set(l, 2, 2500000, 250000, 3 * PBC_MICRO, &envelope, &e));
    cr_assert_eq(envelope, 0);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(l[i].fair_share, 0);
        cr_assert_eq(l[i].budget, 0);
        cr_assert_eq(l[i].contingency, 0);
        cr_assert_eq(l[i].annual_budget, 0);
        cr_assert_not(l[i].has_distance, "R-B5: blank when the fair share is 0");
    }
}

/* R-B2: a total weighted population of 0 cannot share a non-zero envelope. */
Test(budget, zero_weighted_population_is_an_error)
{
    BudgetLine l[2] = {
        {.practice_code = "A", .historic = 500, .weighted_population = 0},
        {.practice_code = "B", .historic = 500, .weighted_population = 0},
    };
    int64_t envelope;
    g_autoptr(GError) e = NULL;
    cr_assert_not(budget_set(l, 2, 0, 250000, 0, &envelope, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_DATA));
    cr_assert_str_eq(e->message, "cannot set fair shares: the budget practices' total weighted "
                                 "population is 0");
}

/* One practice with population 0 among others: fair share 0, distance blank. */
Test(budget, one_practice_without_population)
{
    BudgetLine l[2] = {
        {.practice_code = "A", .historic = 300, .weighted_population = 0},
        {.practice_code = "B", .historic = 700, .weighted_population = 5 * PBC_MICRO},
    };
    int64_t envelope;
    cr_assert(budget_set(l, 2, 0, 500000, 0, &envelope, NULL));
    cr_assert_eq(envelope, 1000);
    cr_assert_eq(l[0].fair_share, 0);
    cr_assert_eq(l[1].fair_share, 1000);
    cr_assert_not(l[0].has_distance);
    cr_assert(l[1].has_distance);
    /* (700 − 1000) / 1000 = −0.3 */
    cr_assert_eq(l[1].distance_micro, -300000);
    /* pace 0.5: A = 300 + 0.5 (0 − 300) = 150; B = 700 + 0.5 × 300 = 850 */
    cr_assert(l[0].budget == 150 && l[1].budget == 850);
}

/* Envelope rounding halves away from zero: 1 × 1.5 = 1.5 -> 2 (uplift 50 %). */
Test(budget, envelope_rounds_half_up)
{
    BudgetLine l[1] = {{.practice_code = "A", .historic = 1, .weighted_population = PBC_MICRO}};
    int64_t envelope;
    cr_assert(budget_set(l, 1, 50 * PBC_MICRO, 250000, 0, &envelope, NULL));
    cr_assert_eq(envelope, 2);
    cr_assert_eq(l[0].uplifted_historic, 2);
    cr_assert_eq(l[0].fair_share, 2);
    cr_assert_eq(l[0].budget, 2);
}

/* Contingency rounds on the rounded budget, halves up: 50 × 3 % = 1.5 -> 2. */
Test(budget, contingency_half)
{
    BudgetLine l[1] = {{.practice_code = "A", .historic = 50, .weighted_population = PBC_MICRO}};
    int64_t envelope;
    cr_assert(budget_set(l, 1, 0, 250000, 3 * PBC_MICRO, &envelope, NULL));
    cr_assert_eq(l[0].budget, 50);
    cr_assert_eq(l[0].contingency, 2);
    cr_assert_eq(l[0].annual_budget, 48);
}

/*
 * Many practices with awkward populations and spends: both rounded sets add
 * up to the envelope, each value is within a penny of its exact value, and
 * every figure is re-derived here from the definitions in exact fractions
 * (numerator / denominator in 128 bits).
 */
Test(budget, sums_equal_envelope)
{
    enum { N = 37 };
    BudgetLine l[N];
    char codes[N][8];
    guint32 x = 2006;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        g_snprintf(codes[i], sizeof codes[i], "P%05d", (int)(x % 100000));
        l[i] = (BudgetLine){.practice_code = codes[i],
                            .historic = (int64_t)(x >> 8) % 50000000,
                            .weighted_population = 1000000 + (int64_t)(x % 15000000000ULL)};
    }
    const int64_t uplift = 3141592, pace = 333333, cont = 2718281;
    int64_t envelope;
    g_autoptr(GError) e = NULL;
    cr_assert(budget_set(l, N, uplift, pace, cont, &envelope, &e), "%s", e ? e->message : "");
    __int128 H = 0, W = 0;
    for (int i = 0; i < N; i++) {
        H += l[i].historic;
        W += l[i].weighted_population;
    }
    /* envelope = round(H × (1e8 + uplift) / 1e8) */
    __int128 U = 100 * PBC_MICRO + uplift, S = 100 * PBC_MICRO;
    __int128 en = H * U, ed = S;
    cr_assert_eq(envelope, (int64_t)((2 * en + ed) / (2 * ed)));
    int64_t fsum = 0, bsum = 0;
    for (int i = 0; i < N; i++) {
        fsum += l[i].fair_share;
        bsum += l[i].budget;
        /* fair exact = env × W_p / W: the rounded value is its floor or floor + 1 */
        __int128 fn = (__int128)envelope * l[i].weighted_population;
        int64_t ffloor = (int64_t)(fn / W);
        cr_assert(l[i].fair_share == ffloor || l[i].fair_share == ffloor + 1, "fair %d", i);
        /* budget exact = h + P (f − h) = [hist U (1 − P) W + env W_p P S] / (S W) with P in 1e6 */
        __int128 bn = (__int128)l[i].historic * U * (PBC_MICRO - pace) * W
                      + (__int128)envelope * l[i].weighted_population * pace * S;
        __int128 bd = S * PBC_MICRO * W;
        int64_t bfloor = (int64_t)(bn / bd);
        cr_assert(l[i].budget == bfloor || l[i].budget == bfloor + 1, "budget %d", i);
        cr_assert_eq(l[i].contingency, (int64_t)((2 * (__int128)l[i].budget * cont + 100 * PBC_MICRO)
                                                 / (200 * PBC_MICRO)), "contingency %d", i);
        cr_assert_eq(l[i].annual_budget, l[i].budget - l[i].contingency);
    }
    cr_assert_eq(fsum, envelope, "R-B3: fair shares add up to the envelope");
    cr_assert_eq(bsum, envelope, "R-B3: budgets add up to the envelope");
}

/* No practices at all: envelope 0, nothing to do. */
Test(budget, no_practices)
{
    int64_t envelope = -1;
    cr_assert(budget_set(NULL, 0, 0, 250000, 3 * PBC_MICRO, &envelope, NULL));
    cr_assert_eq(envelope, 0);
}
