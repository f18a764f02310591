/*
 * test_scope.c: budget scope of a priced unit (lib/scope.c, R-G1).
 *
 * R-G1, first match wins: NOT_CHARGEABLE (R-P4); UNATTRIBUTED (R-A4, R-A5);
 * OUT_OF_AREA (R-A6); PCT_HELD (R-P8); otherwise PRACTICE.  Each case sets
 * the unit's flags so that every later rule would also match, to show the
 * earlier one wins.
 */
#include "scope.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

typedef struct {
    char price_method[20];       /* "" = blank */
    char attribution_method[20]; /* "" = blank */
    gboolean out_of_area, pct_held;
    BudgetScope want;
    char why[72];
} ScopeCase;

static ScopeCase scope_cases[] = {
    /* NOT_CHARGEABLE beats everything */
    {"NOT_CHARGEABLE", "UNATTRIBUTED", TRUE, TRUE, SCOPE_NOT_CHARGEABLE, "R-P4 first"},
    {"NOT_CHARGEABLE", "EXETER", FALSE, FALSE, SCOPE_NOT_CHARGEABLE, "R-P4 alone"},
    /* then UNATTRIBUTED */
    {"TARIFF", "UNATTRIBUTED", TRUE, TRUE, SCOPE_UNATTRIBUTED, "R-A4 before R-A6, R-P8"},
    {"LOCAL", "", FALSE, FALSE, SCOPE_UNATTRIBUTED, "no method is unattributed"},
    {"UNPRICED", "UNATTRIBUTED", FALSE, FALSE, SCOPE_UNATTRIBUTED, "unpriced, unattributed"},
    /* then OUT_OF_AREA */
    {"TARIFF", "EXETER", TRUE, TRUE, SCOPE_OUT_OF_AREA, "R-A6 before R-P8"},
    {"TARIFF_SSE", "CDS", TRUE, FALSE, SCOPE_OUT_OF_AREA, "R-A6 by the hospital's code"},
    /* then PCT_HELD */
    {"TARIFF", "EXETER_NEAREST", FALSE, TRUE, SCOPE_PCT_HELD, "R-P8"},
    {"LOCAL", "CDS", FALSE, TRUE, SCOPE_PCT_HELD, "R-P8 whatever the price method"},
    {"UNPRICED", "EXETER", FALSE, TRUE, SCOPE_PCT_HELD, "R-P8 unpriced"},
    /* otherwise PRACTICE */
    {"TARIFF", "EXETER", FALSE, FALSE, SCOPE_PRACTICE, "the usual case"},
    {"TARIFF_SSE", "EXETER_NEAREST", FALSE, FALSE, SCOPE_PRACTICE, "SSE, nearest registration"},
    {"LOCAL", "CDS", FALSE, FALSE, SCOPE_PRACTICE, "local price, hospital's practice"},
    {"UNPRICED", "EXETER", FALSE, FALSE, SCOPE_PRACTICE, "unpriced still counts (price 0)"},
    {"", "EXETER", FALSE, FALSE, SCOPE_PRACTICE, "blank price method"},
};

ParameterizedTestParameters(scope, first_match_wins)
{
    return cr_make_param_array(ScopeCase, scope_cases, G_N_ELEMENTS(scope_cases));
}

/* R-G1 */
ParameterizedTest(ScopeCase *c, scope, first_match_wins)
{
    Unit u;
    unit_clear(&u);
    u.price_method = c->price_method[0] ? c->price_method : NULL;
    u.attribution_method = c->attribution_method[0] ? c->attribution_method : NULL;
    u.out_of_area = c->out_of_area;
    u.pct_held = c->pct_held;
    BudgetScope s = scope_of(&u);
    cr_assert_eq(s, c->want, "%s: %s, want %s", c->why, scope_name(s), scope_name(c->want));
}

/* "" and NULL both mean blank (unit.h). */
Test(scope, empty_string_is_blank)
{
    Unit u;
    unit_clear(&u);
    u.price_method = "";
    u.attribution_method = "";
    cr_assert_eq(scope_of(&u), SCOPE_UNATTRIBUTED);
    u.attribution_method = "EXETER";
    cr_assert_eq(scope_of(&u), SCOPE_PRACTICE);
}

/* The published names (priced_activity.csv budget_scope, SPEC §7.1). */
Test(scope, names)
{
    cr_assert_str_eq(scope_name(SCOPE_NOT_CHARGEABLE), "NOT_CHARGEABLE");
    cr_assert_str_eq(scope_name(SCOPE_UNATTRIBUTED), "UNATTRIBUTED");
    cr_assert_str_eq(scope_name(SCOPE_OUT_OF_AREA), "OUT_OF_AREA");
    cr_assert_str_eq(scope_name(SCOPE_PCT_HELD), "PCT_HELD");
    cr_assert_str_eq(scope_name(SCOPE_PRACTICE), "PRACTICE");
}
