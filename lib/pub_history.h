/*
 * pub_history.h: every load's unit-level rows, kept for comparing runs
 * (docs/month_end.md; sql/migrations/011_month_end.sql).
 *
 * A publish still replaces the fact rows of the month it publishes (readers
 * see one publication at a time).  Inside the same transaction,
 * pub_history_save() copies the load's units into pbc.load_units and its
 * OUT/deletions.csv into pbc.load_deletions, both keyed by load_id and never
 * replaced, so that the change report can compare any two loads unit by unit.
 * pub_history_prune() drops the history rows of old, replaced loads; those of
 * a current or a closed load are kept for good.
 */
#ifndef PBC_PUB_HISTORY_H
#define PBC_PUB_HISTORY_H

#include <glib.h>
#include <libpq-fe.h>

/* Default of --keep-history: days an old load's units are kept. */
#define PUB_HISTORY_KEEP_DAYS 45

/*
 * Inside the load's transaction, after its priced_activity rows are in:
 * copies them (pct, period) into pbc.load_units, and deletions_csv (may be
 * NULL: the run wrote none) into pbc.load_deletions, prefixed with load_id,
 * pct and period.  *units and *deletions receive the row counts.  FALSE
 * with PBC_ERROR_FORMAT or PBC_ERROR_IO for the file, PBC_ERROR_DB for the
 * database.
 */
gboolean pub_history_save(PGconn *conn, const char *load_id, const char *pct,
                          const char *period, const char *deletions_csv, guint64 *units,
                          guint64 *deletions, GError **error);

/*
 * Inside a transaction holding the PCT's lock: deletes the history rows of
 * the PCT's loads that were replaced and started more than keep_days days
 * ago, unless the load is a month's current publication or was ever closed;
 * marks them pruned (pbc.loads.units_pruned_at).  keep_days = 0 keeps
 * everything.  *pruned receives the number of loads pruned.
 */
gboolean pub_history_prune(PGconn *conn, const char *pct, guint keep_days, guint *pruned,
                           GError **error);

#endif
