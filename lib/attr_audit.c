/*
 * attr_audit.c: three group-by tables keyed by their key columns.
 *
 * Each table maps its key (the columns joined with a unit-separator byte,
 * for hashing) to a row holding the columns and the sums.  Writing sorts the
 * rows column by column with strcmp, which is byte order whatever the
 * separator.
 */
#include "attr_audit.h"

#include "csv_out.h"
#include "log.h"

#include <string.h>

#define MAX_KEYS 6

typedef struct {
    char *cols[MAX_KEYS];
    guint64 units;
    int64_t price_pence;
} Row;

typedef struct {
    int nkeys;
    GHashTable *rows; /* joined key (owned) -> Row * (owned) */
} Table;

struct AttrAudit {
    Table audit, mismatch, out_of_area;
    guint64 units;
};

static void
row_free(gpointer p)
{
    Row *r = p;
    for (int i = 0; i < MAX_KEYS; i++)
        g_free(r->cols[i]);
    g_free(r);
}

static void
table_init(Table *t, int nkeys)
{
    t->nkeys = nkeys;
    t->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, row_free);
}

static void
table_add(Table *t, const char *const *cols, int64_t price_pence)
{
    GString *key = g_string_sized_new(64);
    for (int i = 0; i < t->nkeys; i++) {
        if (i)
            g_string_append_c(key, '\x1f');
        g_string_append(key, cols[i] ? cols[i] : "");
    }
    Row *r = g_hash_table_lookup(t->rows, key->str);
    if (r == NULL) {
        r = g_new0(Row, 1);
        for (int i = 0; i < t->nkeys; i++)
            r->cols[i] = g_strdup(cols[i] ? cols[i] : "");
        g_hash_table_insert(t->rows, g_string_free(key, FALSE), r);
    } else {
        g_string_free(key, TRUE);
    }
    r->units++;
    r->price_pence += price_pence;
}

AttrAudit *
attr_audit_new(void)
{
    AttrAudit *a = g_new0(AttrAudit, 1);
    table_init(&a->audit, 6);
    table_init(&a->mismatch, 2);
    table_init(&a->out_of_area, 3);
    return a;
}

void
attr_audit_free(AttrAudit *a)
{
    if (a == NULL)
        return;
    g_hash_table_destroy(a->audit.rows);
    g_hash_table_destroy(a->mismatch.rows);
    g_hash_table_destroy(a->out_of_area.rows);
    g_free(a);
}

guint64
attr_audit_units(const AttrAudit *a)
{
    return a->units;
}

void
attr_audit_add(AttrAudit *a, const Unit *u)
{
    char month[8] = "";
    /* The activity month is the charge date's; an unfinished spell has only its admission. */
    if (u->charge_date != PBC_NO_DATE)
        date_format_month(u->charge_date, month);
    else if (u->attribution_date != PBC_NO_DATE)
        date_format_month(u->attribution_date, month);
    int64_t price = u->price_pence == PBC_NONE ? 0 : u->price_pence;
    a->units++;

    const char *audit[] = {u->provider_code,  month,         u->attribution_method,
                           u->exeter_reason,  u->cds_reason, u->unattributed_reason};
    table_add(&a->audit, audit, price);

    if (u->mismatch) {
        const char *mm[] = {u->cds_practice_code, u->exeter_practice_code};
        table_add(&a->mismatch, mm, 0);
    }
    /* R-G1: NOT_CHARGEABLE comes before OUT_OF_AREA; such units are no recharge. */
    if (u->out_of_area && !(u->price_method && strcmp(u->price_method, "NOT_CHARGEABLE") == 0)) {
        const char *ooa[] = {u->practice_code, u->practice_pct_code, u->provider_code};
        table_add(&a->out_of_area, ooa, price);
    }
}

static int
row_cmp(gconstpointer pa, gconstpointer pb)
{
    const Row *a = *(const Row *const *)pa;
    const Row *b = *(const Row *const *)pb;
    for (int i = 0; i < MAX_KEYS && a->cols[i]; i++) {
        int c = strcmp(a->cols[i], b->cols[i]);
        if (c)
            return c;
    }
    return 0;
}

static gboolean
table_write(const Table *t, const char *path, const char *const *header, gboolean with_price,
            GError **error)
{
    CsvOut *o = csv_out_create(path, CSV_OUT_PUBLIC, header, error);
    if (o == NULL)
        return FALSE;
    g_autoptr(GPtrArray) rows = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, t->rows);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(rows, value);
    g_ptr_array_sort(rows, row_cmp);
    for (guint i = 0; i < rows->len; i++) {
        const Row *r = g_ptr_array_index(rows, i);
        for (int k = 0; k < t->nkeys; k++)
            csv_out_str(o, r->cols[k]);
        csv_out_int(o, (int64_t)r->units);
        if (with_price)
            csv_out_int(o, r->price_pence);
        csv_out_end(o);
    }
    return csv_out_commit(o, error);
}

gboolean
attr_audit_write_audit(const AttrAudit *a, const char *path, GError **error)
{
    static const char *const header[] = {"provider_code", "activity_month",
                                         "attribution_method", "exeter_reason", "cds_reason",
                                         "unattributed_reason", "units", "price_pence", NULL};
    return table_write(&a->audit, path, header, TRUE, error);
}

gboolean
attr_audit_write_mismatch(const AttrAudit *a, const char *path, GError **error)
{
    static const char *const header[] = {"cds_practice_code", "exeter_practice_code", "units",
                                         NULL};
    return table_write(&a->mismatch, path, header, FALSE, error);
}

gboolean
attr_audit_write_out_of_area(const AttrAudit *a, const char *path, GError **error)
{
    static const char *const header[] = {"practice_code", "practice_pct_code", "provider_code",
                                         "units", "price_pence", NULL};
    return table_write(&a->out_of_area, path, header, TRUE, error);
}

gboolean
attr_audit_write(const AttrAudit *a, const char *dir, GError **error)
{
    g_autofree char *audit = g_build_filename(dir, "attribution_audit.csv", NULL);
    g_autofree char *mismatch = g_build_filename(dir, "attribution_mismatch.csv", NULL);
    g_autofree char *ooa = g_build_filename(dir, "out_of_area.csv", NULL);
    return attr_audit_write_audit(a, audit, error)
           && attr_audit_write_mismatch(a, mismatch, error)
           && attr_audit_write_out_of_area(a, ooa, error);
}
