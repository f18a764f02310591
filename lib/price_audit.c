/*
 * price_audit.c: the pricing audit accumulator (price_audit.h).
 *
 * Each output is a GHashTable from a composite key (the output's key
 * columns joined by the unit separator \x1f, which no code contains) to a
 * running count.  Because \x1f sorts below every printable character,
 * sorting the joined keys bytewise sorts the rows column by column, so the
 * writers only sort keys and split them.
 */
#include "price_audit.h"

#include "csv_out.h"
#include "log.h"
#include "pricing.h"

#include <string.h>

#define SEP "\x1f"

typedef struct {
    guint64 units;
    int64_t pence;
} Count;

struct PriceAudit {
    GHashTable *by_method;   /* pod SEP method SEP provider -> Count */
    GHashTable *unpriced;    /* fin_year SEP dataset SEP pod SEP code SEP provider -> Count */
    GHashTable *hrgs;        /* hrg -> Count */
    guint64 units, unfinished, unpriced_units;
    int64_t pence;
};

PriceAudit *
price_audit_new(void)
{
    PriceAudit *a = g_new0(PriceAudit, 1);
    a->by_method = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    a->unpriced = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    a->hrgs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return a;
}

void
price_audit_free(PriceAudit *a)
{
    if (a == NULL)
        return;
    g_hash_table_destroy(a->by_method);
    g_hash_table_destroy(a->unpriced);
    g_hash_table_destroy(a->hrgs);
    g_free(a);
}

static const char *
str(const char *s)
{
    return s ? s : "";
}

/* Adds units/pence to the count under key (copied when new). */
static void
bump(GHashTable *h, const char *key, int64_t pence)
{
    Count *c = g_hash_table_lookup(h, key);
    if (c == NULL) {
        c = g_new0(Count, 1);
        g_hash_table_insert(h, g_strdup(key), c);
    }
    c->units++;
    c->pence += pence;
}

void
price_audit_add(PriceAudit *a, const Unit *u)
{
    if (blank(u->price_method)) {
        a->unfinished++;
        return;
    }
    int64_t pence = u->price_pence == PBC_NONE ? 0 : u->price_pence;
    a->units++;
    a->pence += pence;
    g_autofree char *k1 = g_strjoin(SEP, str(u->pod), u->price_method, str(u->provider_code), NULL);
    bump(a->by_method, k1, pence);
    if (strcmp(u->price_method, PRICE_UNPRICED) == 0) {
        char fy[8] = "";
        if (u->fin_year > 0)
            fy_format(u->fin_year, fy);
        g_autofree char *k2 = g_strjoin(SEP, fy, dataset_name(u->dataset), str(u->pod),
                                        pricing_code(u), str(u->provider_code), NULL);
        bump(a->unpriced, k2, 0);
        a->unpriced_units++;
    }
    /*
     * top_hrgs: HRGs that set the price (APC, A&E, OPPROC: the R-P7 code);
     * NOT_CHARGEABLE attendances count in no activity figure (R-P4).
     */
    if (strcmp(u->price_method, PRICE_NOT_CHARGEABLE) != 0
        && (u->dataset != DS_OP || (u->pod && strcmp(u->pod, POD_OPPROC) == 0))
        && !blank(u->hrg))
        bump(a->hrgs, u->hrg, pence);
}

guint64
price_audit_units(const PriceAudit *a)
{
    return a->units;
}

int64_t
price_audit_total_pence(const PriceAudit *a)
{
    return a->pence;
}

guint64
price_audit_unfinished(const PriceAudit *a)
{
    return a->unfinished;
}

guint64
price_audit_unpriced(const PriceAudit *a)
{
    return a->unpriced_units;
}

static gint
cmp_keys(gconstpointer x, gconstpointer y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The keys of h sorted bytewise; the array (not the keys) is the caller's. */
static GPtrArray *
sorted_keys(GHashTable *h)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, h);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(keys, k);
    g_ptr_array_sort(keys, cmp_keys);
    return keys;
}

/* Writes a joined key's parts as fields. */
static void
write_parts(CsvOut *o, const char *key)
{
    g_auto(GStrv) parts = g_strsplit(key, SEP, -1);
    for (char **p = parts; *p; p++)
        csv_out_str(o, *p);
}

static void
write_by_method(const PriceAudit *a, CsvOut *o)
{
    g_autoptr(GPtrArray) keys = sorted_keys(a->by_method);
    for (guint i = 0; i < keys->len; i++) {
        const char *k = keys->pdata[i];
        const Count *c = g_hash_table_lookup(a->by_method, k);
        write_parts(o, k);
        csv_out_int(o, (int64_t)c->units);
        csv_out_int(o, c->pence);
        csv_out_end(o);
    }
}

static void
write_unpriced(const PriceAudit *a, CsvOut *o)
{
    g_autoptr(GPtrArray) keys = sorted_keys(a->unpriced);
    for (guint i = 0; i < keys->len; i++) {
        const char *k = keys->pdata[i];
        const Count *c = g_hash_table_lookup(a->unpriced, k);
        write_parts(o, k);
        csv_out_int(o, (int64_t)c->units);
        csv_out_end(o);
    }
}

typedef struct {
    const char *hrg;
    const Count *c;
} HrgRow;

/* Highest spend first; equal spend by HRG code in byte order. */
static gint
cmp_spend(gconstpointer x, gconstpointer y)
{
    const HrgRow *a = x, *b = y;
    if (a->c->pence != b->c->pence)
        return a->c->pence > b->c->pence ? -1 : 1;
    return strcmp(a->hrg, b->hrg);
}

static void
write_top_hrgs(const PriceAudit *a, CsvOut *o)
{
    g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(HrgRow));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, a->hrgs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        HrgRow r = {k, v};
        g_array_append_val(rows, r);
    }
    g_array_sort(rows, cmp_spend);
    for (guint i = 0; i < rows->len && i < PRICE_AUDIT_TOP_HRGS; i++) {
        const HrgRow *r = &g_array_index(rows, HrgRow, i);
        csv_out_int(o, (int64_t)i + 1);
        csv_out_str(o, r->hrg);
        csv_out_int(o, (int64_t)r->c->units);
        csv_out_int(o, r->c->pence);
        csv_out_end(o);
    }
}

gboolean
price_audit_write(const PriceAudit *a, const char *dir, GError **error)
{
    static const char *const h1[] = {"pod", "price_method", "provider_code", "units",
                                     "price_pence", NULL};
    static const char *const h2[] = {"fin_year", "dataset", "pod", "code", "provider_code",
                                     "units", NULL};
    static const char *const h3[] = {"rank", "hrg", "units", "price_pence", NULL};
    static const char *const names[] = {"pricing_audit.csv", "unpriced.csv", "top_hrgs.csv"};
    const char *const *headers[] = {h1, h2, h3};
    CsvOut *outs[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) {
        g_autofree char *path = g_build_filename(dir, names[i], NULL);
        outs[i] = csv_out_create(path, CSV_OUT_PUBLIC, headers[i], error);
        if (outs[i] == NULL) {
            for (int j = 0; j < i; j++)
                csv_out_abort(outs[j]);
            return FALSE;
        }
    }
    write_by_method(a, outs[0]);
    write_unpriced(a, outs[1]);
    write_top_hrgs(a, outs[2]);
    gboolean ok = TRUE;
    for (int i = 0; i < 3; i++) {
        if (!ok)
            csv_out_abort(outs[i]);
        else if (!csv_out_commit(outs[i], error))
            ok = FALSE;
    }
    return ok;
}

void
price_audit_log(const PriceAudit *a)
{
    /* Fold providers away: pod SEP method -> Count. */
    g_autoptr(GHashTable) folded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, a->by_method);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const char *key = k;
        const Count *c = v;
        const char *last = strrchr(key, SEP[0]);
        g_autofree char *pm = g_strndup(key, (gsize)(last - key));
        Count *f = g_hash_table_lookup(folded, pm);
        if (f == NULL) {
            f = g_new0(Count, 1);
            g_hash_table_insert(folded, g_steal_pointer(&pm), f);
        }
        f->units += c->units;
        f->pence += c->pence;
    }
    g_autoptr(GPtrArray) keys = sorted_keys(folded);
    for (guint i = 0; i < keys->len; i++) {
        const char *key = keys->pdata[i];
        const Count *c = g_hash_table_lookup(folded, key);
        const char *sep = strchr(key, SEP[0]);
        pbc_info("  %-6.*s %-14s %10" G_GUINT64_FORMAT " units %14" G_GINT64_FORMAT " pence",
                 (int)(sep - key), key, sep + 1, c->units, c->pence);
    }
    pbc_info("priced %" G_GUINT64_FORMAT " units, total %" G_GINT64_FORMAT " pence; %" G_GUINT64_FORMAT
             " unpriced; %" G_GUINT64_FORMAT " unfinished spells not priced",
             a->units, a->pence, a->unpriced_units, a->unfinished);
}
