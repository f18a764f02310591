/*
 * pub_verify.h: the totals check a load must pass before commit (SPEC §7.2).
 *
 * Three kinds of check, all on the rows of the run's (pct, period) in the
 * database, inside the load's transaction:
 *   - each table against its file: row count and the sum of every integer
 *     column, as counted while the file was read (a dropped, doubled or
 *     left-over row shows here);
 *   - the files against each other: statements against priced activity,
 *     practice_month and statement_breakdown, practice by practice, and the
 *     R-G2 split of every unit (a tampered or inconsistent file shows here);
 *   - the database against reconciliation.csv: every check OK and
 *     left - right = difference, and the checks whose names it knows
 *     (docs/database.md) recomputed from the published rows.
 * Every check's outcome is written to pbc.load_checks.
 */
#ifndef PBC_PUB_VERIFY_H
#define PBC_PUB_VERIFY_H

#include "pub_file.h"
#include "pub_tables.h"

#include <glib.h>
#include <libpq-fe.h>

/*
 * Runs every check for (pct, period) and records them under load_id.
 * tables[i] was loaded with stats[i] (n of them).  Returns FALSE with
 * PBC_ERROR_DB when a check fails (message: which, with both sides) or a
 * query fails.
 */
gboolean pub_verify(PGconn *conn, const char *pct, const char *period, const char *load_id,
                    const PubTable *const *tables, const PubFileStats *stats, guint n,
                    GError **error);

#endif
