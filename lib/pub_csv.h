/*
 * pub_csv.h: the rows of a query into a CSV file (pbc-publish).
 *
 * The change report, its practice summary and the prior-month adjustments
 * are made in the database (sql/migrations/011_month_end.sql) and written
 * beside the run's outputs from there.  The rows are fetched one at a time
 * (libpq single-row mode), so a report of any size needs constant memory,
 * and written through csv_out: under a temporary name renamed into place on
 * success, every write checked.  The header is the query's column names;
 * NULL is a blank field, a boolean 0 or 1, anything else its text.
 */
#ifndef PBC_PUB_CSV_H
#define PBC_PUB_CSV_H

#include <glib.h>
#include <libpq-fe.h>

/*
 * Runs sql with params (text format; NULL = SQL NULL) over conn, which must
 * be idle, and writes the rows to path with the given mode (CSV_OUT_PUBLIC or
 * CSV_OUT_PATIENT).  *rows (may be NULL) receives the number of rows written.
 * Returns FALSE with error: PBC_ERROR_DB when the query fails (what names the
 * query in the message), PBC_ERROR_IO when the file cannot be written (then
 * no file is left behind).
 */
gboolean pub_csv_write_query(PGconn *conn, const char *what, const char *sql, int nparams,
                             const char *const *params, const char *path, int mode,
                             guint64 *rows, GError **error);

#endif
