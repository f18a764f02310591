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

gboolean apc_write(const World *w, int provider, const char *in_dir,
                   RejectPlan *plan, ActivityStats *st, GError **err);
gboolean op_write(const World *w, int provider, const char *in_dir,
                  RejectPlan *plan, ActivityStats *st, GError **err);
gboolean ae_write(const World *w, int provider, const char *in_dir,
                  RejectPlan *plan, ActivityStats *st, GError **err);

#endif
