/*
 * scope.h: budget scope of a priced unit (R-G1).
 */
#ifndef PBC_SCOPE_H
#define PBC_SCOPE_H

#include "unit.h"

typedef enum {
    SCOPE_NOT_CHARGEABLE,
    SCOPE_UNATTRIBUTED,
    SCOPE_OUT_OF_AREA,
    SCOPE_PCT_HELD,
    SCOPE_PRACTICE,
    SCOPE_COUNT
} BudgetScope;

/*
 * R-G1, first match wins: NOT_CHARGEABLE (R-P4), UNATTRIBUTED (R-A4/R-A5),
 * OUT_OF_AREA (R-A6), PCT_HELD (R-P8), otherwise PRACTICE.
 */
BudgetScope scope_of(const Unit *u);

/* The scope's name as published ("PRACTICE", ...). */
const char *scope_name(BudgetScope s);

#endif
