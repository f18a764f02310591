/*
 * pub_db.h: the publish stage's libpq helpers (SPEC §7.2).
 *
 * Connecting (PGURI or libpq's own PG* variables), running a statement and
 * turning a failed one into a GError in PostgreSQL's message style: the
 * server's primary message on the first line, its detail and hint on
 * "detail: " / "hint: " lines below, as pbc_report() prints them.  Every
 * error set here is PBC_ERROR_DB (exit code 4).  Statements that carry data
 * take it as parameters (PQexecParams), never spliced into SQL text.
 */
#ifndef PBC_PUB_DB_H
#define PBC_PUB_DB_H

#include <glib.h>
#include <libpq-fe.h>

/*
 * Opens a connection.  conninfo is a connection string or URI; NULL means
 * $PGURI when set, else "" (libpq's PGHOST, PGDATABASE ... and defaults).
 * Sets application_name to app.  Returns the connection, owned by the caller
 * (PQfinish), or NULL with error set.
 */
PGconn *pub_db_connect(const char *conninfo, const char *app, GError **error);

/*
 * Runs sql with params (text format, NULL = SQL NULL; nparams may be 0).
 * Returns the result when the command succeeded (tuples or command OK),
 * owned by the caller (PQclear); else NULL with error set to
 * "<what>: <server message>" plus detail and hint lines.
 */
PGresult *pub_db_query(PGconn *conn, const char *what, const char *sql, int nparams,
                       const char *const *params, GError **error);

/* As pub_db_query() but discards the result: TRUE on success. */
gboolean pub_db_exec(PGconn *conn, const char *what, const char *sql, int nparams,
                     const char *const *params, GError **error);

/*
 * Runs a script of several statements (simple query protocol, no
 * parameters: for the project's own SQL files only).  TRUE on success, else
 * FALSE with error "<what>: <message>".
 */
gboolean pub_db_script(PGconn *conn, const char *what, const char *sql, GError **error);

/*
 * Sets error (PBC_ERROR_DB) from a failed result, or from the connection
 * when res is NULL: "<what>: <message>" with detail and hint lines.
 */
void pub_db_set_error(GError **error, PGconn *conn, const PGresult *res, const char *what);

/*
 * Whether the table or view name (schema-qualified, e.g. "pbc.v_statement")
 * exists: *exists set and TRUE, or FALSE with error when the catalogue
 * cannot be read.  For "apply the migrations" messages rather than the
 * server's "relation ... does not exist".
 */
gboolean pub_db_relation_exists(PGconn *conn, const char *name, gboolean *exists,
                                GError **error);

/* Runs ROLLBACK, ignoring its outcome (the transaction is being abandoned). */
void pub_db_rollback(PGconn *conn);

#endif
