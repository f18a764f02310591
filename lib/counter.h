/*
 * counter.h: sums keyed by a tuple of strings, written out as sorted CSV.
 *
 * The audit and data-quality outputs are all "count these things by these
 * columns".  A Counter maps a key of N string parts to M int64 sums and
 * writes one CSV row per key, keys in byte order, so every report is
 * deterministic whatever order the units arrived in.
 */
#ifndef PBC_COUNTER_H
#define PBC_COUNTER_H

#include "csv_out.h"

#include <glib.h>
#include <stdint.h>

typedef struct Counter Counter;

/* A counter with nkeys key parts and nsums sums per key. */
Counter *counter_new(int nkeys, int nsums);
void counter_free(Counter *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Counter, counter_free)

/*
 * Adds sums[0..nsums) to the row keyed by parts[0..nkeys) (NULL parts are
 * blank).  The strings are copied.
 */
void counter_add(Counter *c, const char *const *parts, const int64_t *sums);

/* Convenience for the common shapes. */
void counter_add2(Counter *c, const char *k1, const char *k2, int64_t s1, int64_t s2);

/* Number of distinct keys. */
guint counter_size(const Counter *c);

/*
 * Writes every row (key parts, then sums) to out, keys in byte order of
 * their parts.  Does not write a header or commit.
 */
void counter_write(const Counter *c, CsvOut *out);

/* Iterates rows in key order: fn(parts, sums, data). */
typedef void (*CounterFunc)(const char *const *parts, const int64_t *sums, gpointer data);
void counter_foreach_sorted(const Counter *c, CounterFunc fn, gpointer data);

/* The sums of one key, or NULL when absent. */
const int64_t *counter_get(const Counter *c, const char *const *parts);

#endif
