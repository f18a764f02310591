/*
 * highcost.c: R-G2.  Units are held as compact records (NHS number as an
 * integer, interned POD and unit_id) and sorted once; only units with a
 * non-zero risk-pool share are remembered afterwards.
 */
#include "highcost.h"

#include <string.h>

typedef struct {
    uint64_t nhs;
    uint64_t seq;
    int64_t price;
    const char *pod;
    const char *unit_id;
    PbcDate date;
} Rec;

struct HighCost {
    int64_t threshold;
    GArray *recs;
    GStringChunk *chunk;
    GHashTable *risk; /* seq -> risk pence (int64 boxed) */
};

HighCost *
highcost_new(int64_t threshold)
{
    HighCost *h = g_new0(HighCost, 1);
    h->threshold = threshold;
    h->recs = g_array_new(FALSE, FALSE, sizeof(Rec));
    h->chunk = g_string_chunk_new(1 << 16);
    h->risk = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    return h;
}

void
highcost_free(HighCost *h)
{
    if (h == NULL)
        return;
    g_array_free(h->recs, TRUE);
    g_string_chunk_free(h->chunk);
    g_hash_table_destroy(h->risk);
    g_free(h);
}

void
highcost_add(HighCost *h, uint64_t seq, const char *nhs_number, PbcDate charge_date,
             const char *pod, const char *unit_id, int64_t price)
{
    Rec r = {
        .nhs = g_ascii_strtoull(nhs_number, NULL, 10),
        .seq = seq,
        .price = price,
        .pod = g_string_chunk_insert_const(h->chunk, pod),
        .unit_id = g_string_chunk_insert_const(h->chunk, unit_id),
        .date = charge_date,
    };
    g_array_append_val(h->recs, r);
}

static gint
cmp_rec(gconstpointer a, gconstpointer b)
{
    const Rec *x = a, *y = b;
    if (x->nhs != y->nhs)
        return x->nhs < y->nhs ? -1 : 1;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    int c = strcmp(x->pod, y->pod);
    if (c)
        return c;
    c = strcmp(x->unit_id, y->unit_id);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int64_t
highcost_split(int64_t before, int64_t price, int64_t threshold)
{
    int64_t after = before + price;
    int64_t floor = before > threshold ? before : threshold;
    return after > floor ? after - floor : 0;
}

void
highcost_compute(HighCost *h)
{
    g_array_sort(h->recs, cmp_rec);
    const Rec *r = (const Rec *)h->recs->data;
    int64_t total = 0;
    for (guint i = 0; i < h->recs->len; i++) {
        if (i == 0 || r[i].nhs != r[i - 1].nhs)
            total = 0;
        int64_t risk = highcost_split(total, r[i].price, h->threshold);
        total += r[i].price;
        if (risk != 0) {
            uint64_t *k = g_new(uint64_t, 1);
            int64_t *v = g_new(int64_t, 1);
            *k = r[i].seq;
            *v = risk;
            g_hash_table_insert(h->risk, k, v);
        }
    }
    g_array_set_size(h->recs, 0);
}

int64_t
highcost_risk(const HighCost *h, uint64_t seq)
{
    gint64 k = (gint64)seq;
    const int64_t *v = g_hash_table_lookup(h->risk, &k);
    return v ? *v : 0;
}
