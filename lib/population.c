/*
 * population.c: (practice, year)-keyed reference tables.
 */
#include "population.h"

#include "csv_in.h"
#include "date.h"
#include "decimal.h"
#include "log.h"

struct PracticeYearTable {
    GHashTable *rows; /* "code\x1fyear" -> Population (owned) */
};

void
practice_year_free(PracticeYearTable *t)
{
    if (t == NULL)
        return;
    g_hash_table_destroy(t->rows);
    g_free(t);
}

static char *
key(const char *practice, int fy)
{
    return g_strdup_printf("%s\x1f%d", practice, fy);
}

static gboolean
row_error(GError **error, CsvIn *in, const char *column, const char *what, const char *value)
{
    g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                "file \"%s\" line %" G_GINT64_FORMAT " column \"%s\": %s \"%s\"",
                csv_in_path(in), csv_in_line(in), column, what, value);
    return FALSE;
}

/* Loads a table whose value columns are value_cols (1 or 2), parsed with places[]. */
static PracticeYearTable *
load(const char *path, const char *const *cols, const int *places, guint nvalues,
     gboolean values_required, GError **error)
{
    g_autoptr(CsvIn) in = csv_in_open(path, error);
    if (in == NULL || !csv_in_read_header(in, error))
        return NULL;
    int idx[4];
    if (!csv_in_require(in, cols, idx, error))
        return NULL;
    PracticeYearTable *t = g_new0(PracticeYearTable, 1);
    t->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    int rc;
    while ((rc = csv_in_next(in, error)) > 0) {
        if (csv_in_broken(in) || csv_in_count(in) != csv_in_header_count(in)) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\" line %" G_GINT64_FORMAT ": malformed record (%s)", path,
                        csv_in_line(in),
                        csv_in_broken(in) ? "broken quoting" : "wrong number of fields");
            goto fail;
        }
        const char *code = csv_in_field(in, idx[0]);
        const char *year = csv_in_field(in, idx[1]);
        int fy;
        if (!*code) {
            row_error(error, in, cols[0], "blank practice code", code);
            goto fail;
        }
        if (!fy_parse(year, &fy)) {
            row_error(error, in, cols[1], "invalid financial year (expected e.g. 2006/07)", year);
            goto fail;
        }
        int64_t v[2] = {0, 0};
        for (guint k = 0; k < nvalues; k++) {
            const char *s = csv_in_field(in, idx[2 + k]);
            if (!*s && !values_required)
                continue;
            if (!decimal_parse(s, places[k], &v[k]) || v[k] < 0) {
                row_error(error, in, cols[2 + k], *s ? "invalid value" : "blank value", s);
                goto fail;
            }
        }
        char *k = key(code, fy);
        if (g_hash_table_contains(t->rows, k)) {
            g_free(k);
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\" line %" G_GINT64_FORMAT ": duplicate row for practice \"%s\" "
                        "year %s",
                        path, csv_in_line(in), code, year);
            goto fail;
        }
        Population *p = g_new(Population, 1);
        p->registered = v[0];
        p->weighted = v[1];
        g_hash_table_insert(t->rows, k, p);
    }
    if (rc < 0)
        goto fail;
    return t;
fail:
    practice_year_free(t);
    return NULL;
}

PracticeYearTable *
populations_load(const char *path, GError **error)
{
    static const char *const cols[] = {"practice_code", "fin_year", "registered_population",
                                       "weighted_population", NULL};
    static const int places[] = {0, 6};
    return load(path, cols, places, 2, TRUE, error);
}

PracticeYearTable *
budgets_ref_load(const char *path, GError **error)
{
    static const char *const cols[] = {"practice_code", "fin_year", "annual_budget", NULL};
    static const int places[] = {2};
    return load(path, cols, places, 1, TRUE, error);
}

const Population *
population_get(const PracticeYearTable *t, const char *practice, int fy)
{
    g_autofree char *k = key(practice, fy);
    return g_hash_table_lookup(t->rows, k);
}

gboolean
budget_ref_get(const PracticeYearTable *t, const char *practice, int fy, int64_t *pence)
{
    g_autofree char *k = key(practice, fy);
    const Population *p = g_hash_table_lookup(t->rows, k);
    if (p == NULL)
        return FALSE;
    *pence = p->registered;
    return TRUE;
}
