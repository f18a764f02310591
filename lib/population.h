/*
 * population.h: REF/populations.csv and REF/budgets.csv (SPEC §3.2), both
 * keyed by (practice_code, fin_year).
 *
 * populations.csv: registered_population (a whole number) and
 * weighted_population (a decimal, held exactly in millionths) for R-G4 and
 * R-B2.  budgets.csv: annual_budget in pounds (held in pence) for R-G3.
 * Duplicate keys, malformed or negative numbers and bad years are fatal
 * PBC_ERROR_REFDATA errors naming the file, line and column.
 */
#ifndef PBC_POPULATION_H
#define PBC_POPULATION_H

#include <glib.h>
#include <stdint.h>

typedef struct PracticeYearTable PracticeYearTable;

typedef struct {
    int64_t registered;  /* persons */
    int64_t weighted;    /* millionths of a person */
} Population;

/* Loads populations.csv; NULL with error. */
PracticeYearTable *populations_load(const char *path, GError **error);
/* Loads budgets.csv (annual_budget in pounds → pence); NULL with error. */
PracticeYearTable *budgets_ref_load(const char *path, GError **error);
void practice_year_free(PracticeYearTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PracticeYearTable, practice_year_free)

/* The population of (practice, fy), or NULL. */
const Population *population_get(const PracticeYearTable *t, const char *practice, int fy);
/* The budget of (practice, fy) in pence; FALSE when absent. */
gboolean budget_ref_get(const PracticeYearTable *t, const char *practice, int fy, int64_t *pence);

#endif
