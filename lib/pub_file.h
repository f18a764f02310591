/*
 * pub_file.h: one CSV file into one table with COPY (pbc-publish).
 *
 * The file is read through csv_in (libcsv; plain or gzip); its columns are
 * found by header name as the PubTable lists them; every value is checked
 * against its column's type before it is sent, so that a malformed file
 * fails with its name, line and column (exit 3) rather than as a server
 * error; the row count and the sum of every integer column are kept for the
 * totals check against the database.
 */
#ifndef PBC_PUB_FILE_H
#define PBC_PUB_FILE_H

#include "pub_tables.h"

#include <glib.h>
#include <libpq-fe.h>

/* What a file held: rows, and per PubTable column presence and integer sum. */
typedef struct {
    guint64 rows;
    guint ncols;
    gboolean *present;   /* [ncols]: the column was in the header */
    gint64 *sums;        /* [ncols]: Σ of a PUB_INT column's values */
} PubFileStats;

/* Frees the arrays of stats (not stats itself); accepts NULL. */
void pub_file_stats_clear(PubFileStats *stats);

/*
 * Copies the rows of the CSV file path into target (an SQL table name,
 * already quoted where needed), as the columns of t.  Each row is prefixed
 * with the values prefix[0..nprefix) for the columns named in prefix_cols
 * (e.g. "load_id, pct_code, period"; NULL when nprefix is 0).
 *
 * Fills *stats (clear it with pub_file_stats_clear()).  Returns FALSE with
 * error: PBC_ERROR_IO when the file cannot be read, PBC_ERROR_FORMAT when a
 * required column is missing or a row is malformed (broken quoting, wrong
 * number of fields, a value not of its column's type, a blank where a value
 * is required), PBC_ERROR_DB when the server refuses the rows.  On failure
 * the COPY has been ended and the transaction is in an aborted state.
 */
gboolean pub_file_copy(PGconn *conn, const char *path, const PubTable *t, const char *target,
                       const char *const *prefix, guint nprefix, const char *prefix_cols,
                       PubFileStats *stats, GError **error);

#endif
