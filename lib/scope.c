/*
 * scope.c: R-G1 budget scope.
 */
#include "scope.h"

#include <string.h>

BudgetScope
scope_of(const Unit *u)
{
    if (!blank(u->price_method) && strcmp(u->price_method, "NOT_CHARGEABLE") == 0)
        return SCOPE_NOT_CHARGEABLE;
    if (blank(u->attribution_method) || strcmp(u->attribution_method, "UNATTRIBUTED") == 0)
        return SCOPE_UNATTRIBUTED;
    if (u->out_of_area)
        return SCOPE_OUT_OF_AREA;
    if (u->pct_held)
        return SCOPE_PCT_HELD;
    return SCOPE_PRACTICE;
}

const char *
scope_name(BudgetScope s)
{
    static const char *const names[SCOPE_COUNT] = {"NOT_CHARGEABLE", "UNATTRIBUTED",
                                                   "OUT_OF_AREA", "PCT_HELD", "PRACTICE"};
    return names[s];
}
