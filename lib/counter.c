/*
 * counter.c: string-tuple keyed sums (see counter.h).  Keys are the parts
 * joined with the unit separator 0x1F, which no input field can usefully
 * hold; ordering compares part by part so "A" sorts before "AB".
 */
#include "counter.h"

#include <string.h>

#define SEP '\x1f'

struct Counter {
    int nkeys, nsums;
    GHashTable *rows; /* joined key (owned) -> int64_t[nsums] (owned) */
    /* the key added last and its sums: consecutive units often share a key */
    const char *last_key;
    gsize last_len;
    int64_t *last_row;
};

Counter *
counter_new(int nkeys, int nsums)
{
    Counter *c = g_new0(Counter, 1);
    c->nkeys = nkeys;
    c->nsums = nsums;
    c->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return c;
}

void
counter_free(Counter *c)
{
    if (c == NULL)
        return;
    g_hash_table_destroy(c->rows);
    g_free(c);
}

static char *
join(const Counter *c, const char *const *parts)
{
    GString *k = g_string_sized_new(64);
    for (int i = 0; i < c->nkeys; i++) {
        if (i)
            g_string_append_c(k, SEP);
        if (parts[i])
            g_string_append(k, parts[i]);
    }
    return g_string_free(k, FALSE);
}

/*
 * Joins parts into buf (of size cap) when they fit, returning the length;
 * G_MAXSIZE when they do not (the caller then uses join()).
 */
static gsize
join_into(const Counter *c, const char *const *parts, char *buf, gsize cap)
{
    gsize n = 0;
    for (int i = 0; i < c->nkeys; i++) {
        if (i) {
            if (n + 1 >= cap)
                return G_MAXSIZE;
            buf[n++] = SEP;
        }
        if (parts[i]) {
            gsize l = strlen(parts[i]);
            if (n + l >= cap)
                return G_MAXSIZE;
            memcpy(buf + n, parts[i], l);
            n += l;
        }
    }
    buf[n] = '\0';
    return n;
}

void
counter_add(Counter *c, const char *const *parts, const int64_t *sums)
{
    /* Called for every unit, several times: the key is joined on the stack,
     * and copied only when it is new. */
    char stack[256];
    g_autofree char *heap = NULL;
    const char *key = stack;
    gsize len = join_into(c, parts, stack, sizeof stack);
    if (len == G_MAXSIZE) {
        heap = join(c, parts);
        key = heap;
        len = strlen(heap);
    }
    int64_t *row;
    if (c->last_key && c->last_len == len && memcmp(c->last_key, key, len) == 0) {
        row = c->last_row;
    } else {
        gpointer owned;
        if (!g_hash_table_lookup_extended(c->rows, key, &owned, (gpointer *)&row)) {
            owned = heap ? g_steal_pointer(&heap) : g_strndup(key, len);
            row = g_new0(int64_t, c->nsums);
            g_hash_table_insert(c->rows, owned, row);
        }
        c->last_key = owned;
        c->last_len = len;
        c->last_row = row;
    }
    for (int i = 0; i < c->nsums; i++)
        row[i] += sums[i];
}

void
counter_add2(Counter *c, const char *k1, const char *k2, int64_t s1, int64_t s2)
{
    const char *parts[2] = {k1, k2};
    int64_t sums[2] = {s1, s2};
    counter_add(c, parts, sums);
}

guint
counter_size(const Counter *c)
{
    return g_hash_table_size(c->rows);
}

const int64_t *
counter_get(const Counter *c, const char *const *parts)
{
    char stack[256];
    if (join_into(c, parts, stack, sizeof stack) != G_MAXSIZE)
        return g_hash_table_lookup(c->rows, stack);
    g_autofree char *key = join(c, parts);
    return g_hash_table_lookup(c->rows, key);
}

/*
 * Part-wise byte order.  Every key has the same number of separators, so
 * where one key has SEP and the other a byte, the first key's part is a
 * prefix of the other's and sorts first: SEP counts as below every byte,
 * tabs and other control bytes included (plain strcmp() would put "A\t"
 * before "A", since 0x09 < 0x1F).
 */
static gint
cmp_keys(gconstpointer a, gconstpointer b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;
    for (; *x && *x == *y; x++, y++)
        ;
    int cx = *x == (unsigned char)SEP ? -1 : *x;
    int cy = *y == (unsigned char)SEP ? -1 : *y;
    return cx < cy ? -1 : cx > cy;
}

void
counter_foreach_sorted(const Counter *c, CounterFunc fn, gpointer data)
{
    guint n = 0;
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(c->rows, &n);
    qsort(keys, n, sizeof *keys, (int (*)(const void *, const void *))cmp_keys);
    g_autofree const char **parts = g_new0(const char *, c->nkeys);
    for (guint i = 0; i < n; i++) {
        g_auto(GStrv) split = g_strsplit(keys[i], "\x1f", c->nkeys);
        for (int k = 0; k < c->nkeys; k++)
            parts[k] = split[k] ? split[k] : "";
        fn(parts, g_hash_table_lookup(c->rows, keys[i]), data);
    }
}

typedef struct {
    const Counter *c;
    CsvOut *out;
} WriteCtx;

static void
write_row(const char *const *parts, const int64_t *sums, gpointer data)
{
    WriteCtx *w = data;
    for (int k = 0; k < w->c->nkeys; k++)
        csv_out_str(w->out, parts[k]);
    for (int s = 0; s < w->c->nsums; s++)
        csv_out_int(w->out, sums[s]);
    csv_out_end(w->out);
}

void
counter_write(const Counter *c, CsvOut *out)
{
    WriteCtx w = {c, out};
    counter_foreach_sorted(c, write_row, &w);
}
