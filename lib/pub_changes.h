/*
 * pub_changes.h: the change report between two runs of a month, and the
 * prior-month adjustments of a run (docs/month_end.md).
 *
 * The rules are SQL functions of sql/migrations/011_month_end.sql
 * (pbc.unit_changes, pbc.practice_changes, pbc.prior_month_adjustments) over
 * the unit-level history of loads (pub_history.h).  This module drives them:
 *
 *   pub_changes_record()     in a publish's transaction: the report from the
 *                            load it replaces to the new load, and the new
 *                            load's prior-month adjustments, stored in
 *                            pbc.change_reports, pbc.changes,
 *                            pbc.changes_by_practice,
 *                            pbc.prior_month_adjustments;
 *   pub_changes_write_run()  after the commit: those rows as CSV files beside
 *                            the run's outputs (OUT/changes.csv,
 *                            OUT/changes_by_practice.csv,
 *                            OUT/prior_month_adjustments.csv);
 *   pub_changes_compare()    `pbc-publish --changes DIR`: the report between
 *                            any two loads of a PCT, computed read-only and
 *                            written into DIR.
 */
#ifndef PBC_PUB_CHANGES_H
#define PBC_PUB_CHANGES_H

#include <glib.h>
#include <libpq-fe.h>

#define PUB_CHANGES_CSV "changes.csv"
#define PUB_CHANGES_BY_PRACTICE_CSV "changes_by_practice.csv"
#define PUB_PRIOR_MONTH_CSV "prior_month_adjustments.csv"

typedef struct {
    gint64 report_id;            /* the stored report (pub_changes_record), else 0 */
    gint64 from_load, to_load;   /* from_load 0: a first publication, nothing compared */
    guint64 units;               /* units changed: rows of changes.csv */
    guint64 added, removed, repriced, reattributed, redated;
    gint64 delta_price_pence;    /* Σ over the changed units */
    gint64 delta_practice_pence;
    guint64 practice_rows;       /* rows of changes_by_practice.csv */
    guint64 adjustments;         /* rows of prior_month_adjustments.csv (publish only) */
    gint64 adjustment_pence;     /* Σ their delta_practice_pence */
} PubChangeSummary;

/*
 * Inside the publish's transaction, after pub_history_save() of load_id:
 * stores the change report from from_load (0 when the month had no earlier
 * publication: an empty report) to load_id, and load_id's prior-month
 * adjustments against the months closed now.  Fills *summary.  FALSE with
 * PBC_ERROR_DB on failure.
 */
gboolean pub_changes_record(PGconn *conn, const char *load_id, gint64 from_load,
                            PubChangeSummary *summary, GError **error);

/*
 * After the commit: writes the stored report and adjustments of load_id into
 * dir as changes.csv (patient-level, mode 0600), changes_by_practice.csv and
 * prior_month_adjustments.csv, each atomically.  FALSE with PBC_ERROR_DB or
 * PBC_ERROR_IO.
 */
gboolean pub_changes_write_run(PGconn *conn, gint64 load_id, const char *dir, GError **error);

typedef struct {
    const char *from;    /* a load id or run id (UUID); NULL: the load `to` replaced */
    const char *to;      /* a load id or run id; NULL: the current publication of pct, period */
    const char *pct;     /* with to == NULL */
    const char *period;
} PubChangesRequest;

/*
 * Compares two loads of one PCT and financial year (when their periods
 * differ, over the months both cover) in one read-only snapshot, and writes
 * dir/changes.csv and dir/changes_by_practice.csv (dir created 0700).  Runs
 * with the caller's rights: finance (or the loader) reads the load audit it
 * needs.  Fills summary->from_load, to_load, units and practice_rows.  FALSE
 * with PBC_ERROR_DB when a load does not exist, failed, has no unit history
 * (replaced before it was kept, or pruned) or the two cannot be compared
 * (another PCT or financial year), or on a database error; PBC_ERROR_IO for
 * the directory or a file.
 */
gboolean pub_changes_compare(PGconn *conn, const PubChangesRequest *req, const char *dir,
                             PubChangeSummary *summary, GError **error);

#endif
