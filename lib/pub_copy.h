/*
 * pub_copy.h: driving COPY ... FROM STDIN for pbc-publish.
 *
 * Rows are written in COPY's text format (tab-separated, \N for NULL,
 * backslash escapes) into a buffer that is sent with PQputCopyData in large
 * blocks.  Call order, as psql's handleCopyIn:
 *
 *   c = pub_copy_begin(conn, "COPY t (a, b) FROM STDIN", &err);
 *   for each row: pub_copy_value(c, ...) / pub_copy_null(c) per column,
 *                 pub_copy_end_row(c, &err)
 *   pub_copy_finish(c, &err)           -- PQputCopyEnd, results until NULL
 *   or pub_copy_abort(c, "why")        -- PQputCopyEnd with an error, drained
 *
 * finish and abort free the PubCopy; the connection stays the caller's.
 */
#ifndef PBC_PUB_COPY_H
#define PBC_PUB_COPY_H

#include <glib.h>
#include <libpq-fe.h>

typedef struct PubCopy PubCopy;

/*
 * Starts the COPY statement sql (which must be COPY ... FROM STDIN in text
 * format).  Returns the copy handle, or NULL with error (PBC_ERROR_DB).
 */
PubCopy *pub_copy_begin(PGconn *conn, const char *sql, GError **error);

/* Appends a column value of len bytes, escaped for the text format. */
void pub_copy_value(PubCopy *c, const char *value, gsize len);

/* Appends a NULL column. */
void pub_copy_null(PubCopy *c);

/*
 * Ends the row; sends the buffer when it is large.  FALSE with error when
 * libpq could not send (the caller then calls pub_copy_abort()).
 */
gboolean pub_copy_end_row(PubCopy *c, GError **error);

/*
 * Sends the rest, ends the COPY and collects every result.  Returns TRUE
 * when the server accepted all rows; else FALSE with error carrying the
 * server's message (e.g. the line of a rejected value).  Frees c.
 */
gboolean pub_copy_finish(PubCopy *c, GError **error);

/* Ends the COPY with the error message reason, drains the results, frees c. */
void pub_copy_abort(PubCopy *c, const char *reason);

#endif
