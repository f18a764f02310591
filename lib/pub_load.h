/*
 * pub_load.h: publishing one run's output directory into PostgreSQL
 * (SPEC §7.2, docs/database.md).
 *
 * pub_load() is the whole of `pbc-publish --out OUT` after connecting and
 * migrating:
 *   1. (the caller) pub_run_open(): read OUT/run.ini, refuse a world-readable
 *      OUT, before it connects; here: find the output files;
 *   2. start SHA-256 checksums of every file involved in a thread;
 *   3. BEGIN; SET LOCAL ROLE pbc_loader; take the PCT's advisory lock
 *      (waiting, or failing at once with wait = FALSE);
 *   4. refuse a month that finance has closed (pub_period.h);
 *      record the load in pbc.loads; delete the rows an earlier load of the
 *      same (PCT, period) published; upsert the reference dimensions;
 *      COPY every output file into its table;
 *   5. check the published totals against the files (pub_verify);
 *   6. keep the load's units and deletions in the history (pub_history.h);
 *   7. record the files with their checksums, the rows per table;
 *   8. the change report against the load replaced and the prior-month
 *      adjustments against closed months (pub_changes.h); the month's state
 *      (provisional, this load current); prune old history; COMMIT.
 * After a successful pub_load() the caller writes the change report files
 * with pub_changes_write_run().
 * Any failure rolls everything back, so the database is exactly as before;
 * the failed attempt is then recorded in pbc.loads (status FAILED) in a
 * transaction of its own, when the connection still works.
 */
#ifndef PBC_PUB_LOAD_H
#define PBC_PUB_LOAD_H

#include "pub_changes.h"
#include "pub_run.h"

#include <glib.h>
#include <libpq-fe.h>

typedef struct {
    const PubRun *run;     /* the output directory, from pub_run_open() */
    gboolean wait;         /* wait for another publish of the PCT (else fail) */
    guint keep_history_days; /* prune replaced loads' units older than this; 0 keeps all */
} PubLoadOptions;

typedef struct {
    char *pct;             /* the run's PCT and period (owned; pub_load_result_clear) */
    char *period;
    gint64 load_id;
    guint64 rows;          /* rows loaded, all tables */
    gint64 replaced;       /* load_id replaced, or 0 */
    double seconds;
    guint64 history_units; /* units kept in pbc.load_units */
    guint history_pruned;  /* old loads whose history was pruned */
    PubChangeSummary changes; /* against the load replaced; prior-month adjustments */
} PubLoadResult;

/*
 * Publishes opt->run over conn (connected, migrated, idle).  Fills
 * *result on success.  Returns FALSE with error: PBC_ERROR_IO or
 * PBC_ERROR_FORMAT for the directory and its files (exit 3), PBC_ERROR_DB for
 * the database, a held lock with wait = FALSE, failed totals, or a closed
 * month (exit 4).
 */
gboolean pub_load(PGconn *conn, const PubLoadOptions *opt, PubLoadResult *result,
                  GError **error);

/* Frees the strings of a result; accepts NULL. */
void pub_load_result_clear(PubLoadResult *result);

/* SQL for the advisory lock of a PCT ($1): pg_advisory_xact_lock's two keys. */
#define PUB_LOCK_PCT_KEYS "1346520912, hashtext(upper($1))"

/*
 * Takes the PCT's advisory lock (PUB_LOCK_PCT_KEYS) for conn's open
 * transaction: the one lock that keeps a PCT's publishes, closes and
 * re-opens apart (SPEC §7.2, docs/month_end.md).  With wait, waits for the
 * holder, saying "waiting for another <doing> of PCT <pct> to finish";
 * without, fails at once with PBC_ERROR_DB "another <doing> of PCT <pct> is
 * in progress" followed by busy_detail (its detail and hint lines).  FALSE
 * with PBC_ERROR_DB also when the query fails.
 */
gboolean pub_load_lock_pct(PGconn *conn, const char *pct, gboolean wait, const char *doing,
                           const char *busy_detail, GError **error);

#endif
