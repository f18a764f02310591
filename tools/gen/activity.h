/*
 * activity.h: writing the CDS activity extracts of SPEC §3.1 into in/.
 *
 * Each function writes every month of the window for one provider: one
 * file per month (two when the month is re-sent).  Files depend only on
 * the seed and their identity, except for where the rows ingest must
 * reject fall, which @plan spaces over the whole run (call the providers in
 * order).  Memory is bounded by one record: records are derived from
 * (provider, month, record number) and written as they are made.
 */
#ifndef PBC_GEN_ACTIVITY_H
#define PBC_GEN_ACTIVITY_H

#include "cds.h"
#include "world.h"

/* Statistics a run reports at the end. */
typedef struct {
    guint64 rows[DS_N];       /* rows written, all versions */
    guint64 units[DS_N];      /* records (spells, attendances) */
    guint64 files;
    guint64 rejects[DS_N];
} ActivityStats;

/*
 * A dataset whose records are one row each, for rows_write(): make() derives
 * record k of (provider, month) into a record of @size bytes whose hash (the
 * guint64 that cds_fate() and cds_time() take) is at @h_offset; emit() writes
 * it to a file of the extract as the given version (update type, time,
 * modified or not) and adds a reject row when one is due.
 */
typedef struct {
    Dataset ds;
    guint64 rng_tag;          /* the records' rng_key() tag (RNG_TAG_OP ...) */
    const char *const *cols;
    int ncols;
    size_t size, h_offset;
    void (*make)(const World *w, int provider, int mi, gint64 k, void *rec);
    gboolean (*emit)(Extract *ex, Sheet *sh, const void *rec, int update, Day t_day,
                     int t_secs, gboolean modified, RejectPlan *plan, ActivityStats *st,
                     GError **err);
} RowKind;

/* Writes every month of the window of @kind's dataset for one provider. */
gboolean rows_write(const World *w, const RowKind *kind, int provider, const char *in_dir,
                    RejectPlan *plan, ActivityStats *st, GError **err);

gboolean apc_write(const World *w, int provider, const char *in_dir,
                   RejectPlan *plan, ActivityStats *st, GError **err);
gboolean op_write(const World *w, int provider, const char *in_dir,
                  RejectPlan *plan, ActivityStats *st, GError **err);
gboolean ae_write(const World *w, int provider, const char *in_dir,
                  RejectPlan *plan, ActivityStats *st, GError **err);

#endif
