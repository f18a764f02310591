/*
 * fuzz_practice_year.c: the (practice, fin_year) tables of lib/population.c:
 * REF/populations.csv (populations_load) and REF/budgets.csv
 * (budgets_ref_load).  scripts/fuzz.sh builds it twice, -DLOADER_BUDGETS
 * selecting the budgets loader.
 *
 * Checks: a failure is a PBC_ERROR naming the file; on success every row
 * of the input whose practice code and year parse can be looked up, and
 * what comes back is not negative (population.h: negative numbers are
 * refused at load).
 */
#include "fuzz.h"

#include "date.h"
#include "population.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    char path[64];
    int fd = fuzz_memfd(data, size, path);
    GError *error = NULL;
#ifdef LOADER_BUDGETS
    PracticeYearTable *t = budgets_ref_load(path, &error);
#else
    PracticeYearTable *t = populations_load(path, &error);
#endif
    if (t == NULL) {
        FUZZ_CHECK_LOAD_ERROR(error, path);
        close(fd);
        return 0;
    }
    g_autofree char *text = fuzz_str(data, size);
    g_auto(GStrv) tokens = g_strsplit_set(text, ",\n\r\"", 64);
    for (char **a = tokens; *a; a++) {
        for (char **b = tokens; *b; b++) {
            int fy;
            g_autofree char *ys = g_strstrip(g_strdup(*b));
            if (!fy_parse(ys, &fy))
                continue;
            g_autofree char *code = g_strstrip(g_strdup(*a));
#ifdef LOADER_BUDGETS
            int64_t pence;
            if (budget_ref_get(t, code, fy, &pence))
                FUZZ_CHECK(pence >= 0);
#else
            const Population *p = population_get(t, code, fy);
            if (p)
                FUZZ_CHECK(p->registered >= 0 && p->weighted >= 0);
#endif
        }
    }
    practice_year_free(t);
    close(fd);
    return 0;
}
