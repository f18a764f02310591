/*
 * activity.h: net change across extracts and spell building (R-I3, R-I4).
 *
 * The ingest stage hands every accepted row to an ActivityStore in read
 * order (files in byte order of their names, rows in file order).  The
 * store keeps, per (dataset, cds_unique_id), the version with the latest
 * cds_applicable_datetime, a tie going to the one read last; the others are
 * superseded.  At the end, standing deletions remove their record, APC
 * episodes are grouped into spells by (provider_code, hospital_spell_no),
 * and every unit is emitted.
 *
 * Memory: one compact record per accepted row (its fixed fields plus the
 * values the units need, packed), so the store grows with the number of
 * accepted rows, never with file sizes or with columns the units do not use.
 * Records can also be made by activity_encode() elsewhere (the per-file
 * parse steps of `pbc-ingest --part`) and lent to the store with
 * activity_add_records(), which keeps 24 bytes a row of its own.
 */
#ifndef PBC_ACTIVITY_H
#define PBC_ACTIVITY_H

#include "extract.h"
#include "unit.h"

#include <glib.h>

typedef struct ActivityStore ActivityStore;

ActivityStore *activity_new(void);
void activity_free(ActivityStore *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ActivityStore, activity_free)

/*
 * Registers a file about to be read; returns its index for activity_add().
 * The name is copied.
 */
guint activity_add_file(ActivityStore *s, const char *name);

/*
 * Adds one accepted row of file `file` (rows must arrive in read order).
 * month is the row's activity month key (-1 if none) for the data-quality
 * counts.  Copies what it needs from row.
 */
void activity_add(ActivityStore *s, guint file, const ExtractRow *row, int month);

/*
 * Appends the compact record of one accepted row (month as for
 * activity_add()) to out; returns its size.  The format is private to
 * activity.c and the same on every machine (little-endian).
 */
gsize activity_encode(const ExtractRow *row, int month, GByteArray *out);

/*
 * Adds the records data[0 .. len) (made by activity_encode(), in read
 * order) as rows of file `file`, as activity_add() would.  The records are
 * borrowed: data must stay valid and unchanged until the store is freed.
 * Returns FALSE with PBC_ERROR_FORMAT when a record is truncated or
 * corrupt; *count (may be NULL) gets the number of records.
 */
gboolean activity_add_records(ActivityStore *s, guint file, const guint8 *data, gsize len,
                              guint64 *count, GError **error);

/* Per-file outcome after activity_finish(). */
typedef struct {
    uint64_t accepted;   /* versions that stand (deletions included) */
    uint64_t superseded; /* older versions (R-I3) */
} ActivityFileCounts;

/*
 * Resolves net change and builds the units.  Must be called once, after
 * the last activity_add().  Calls emit(unit, data) for every unit (spells,
 * unfinished ones included, then attendances) in (dataset, unit_id, read
 * order) order; the Unit's strings are valid during the call only.
 */
typedef void (*ActivityEmit)(const Unit *u, gpointer data);
void activity_finish(ActivityStore *s, ActivityEmit emit, gpointer data);

/* Counts for file index i (valid after activity_finish()). */
ActivityFileCounts activity_file_counts(const ActivityStore *s, guint file);

/*
 * Calls fn(provider_code, month_key, superseded, data) for every accepted row
 * (superseded TRUE for the losers), for data-quality counts.
 */
typedef void (*ActivityRowFunc)(const char *provider, int month, gboolean superseded,
                                gpointer data);
void activity_foreach_row(const ActivityStore *s, ActivityRowFunc fn, gpointer data);

/*
 * Calls fn for every deletion that stands (R-I3: the record it names is
 * gone): its dataset, cds_unique_id, the unit it deletes (provider:spell or
 * provider:attendance), and the file and line it was read from.  For the
 * change report between runs.
 */
typedef void (*ActivityDeletionFunc)(Dataset ds, const char *cds_unique_id, const char *unit_id,
                                     const char *file, int64_t line, gpointer data);
void activity_foreach_deletion(const ActivityStore *s, ActivityDeletionFunc fn, gpointer data);

/* Numbers of units built (after activity_finish()). */
typedef struct {
    uint64_t spells, unfinished_spells, episodes, op, ae, deleted;
} ActivityTotals;
ActivityTotals activity_totals(const ActivityStore *s);

#endif
