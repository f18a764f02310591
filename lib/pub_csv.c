/*
 * pub_csv.c: query rows into a CSV file (see pub_csv.h).
 */
#include "pub_csv.h"

#include "csv_out.h"
#include "log.h"
#include "pub_db.h"

#include <string.h>

#define BOOLOID 16

/* Collects and discards the results still pending on conn. */
static void
drain(PGconn *conn)
{
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL)
        PQclear(r);
}

/* The header: the result's column names, NULL-terminated, owned by res. */
static const char **
header_of(const PGresult *res)
{
    int nf = PQnfields(res);
    const char **h = g_new0(const char *, nf + 1);
    for (int c = 0; c < nf; c++)
        h[c] = PQfname(res, c);
    return h;
}

static void
write_row(CsvOut *o, const PGresult *res)
{
    for (int c = 0; c < PQnfields(res); c++) {
        if (PQgetisnull(res, 0, c))
            csv_out_blank(o);
        else if (PQftype(res, c) == BOOLOID)
            csv_out_str(o, strcmp(PQgetvalue(res, 0, c), "t") == 0 ? "1" : "0");
        else
            csv_out_strn(o, PQgetvalue(res, 0, c), (gsize)PQgetlength(res, 0, c));
    }
    csv_out_end(o);
}

gboolean
pub_csv_write_query(PGconn *conn, const char *what, const char *sql, int nparams,
                    const char *const *params, const char *path, int mode, guint64 *rows,
                    GError **error)
{
    if (rows)
        *rows = 0;
    if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)
        || !PQsetSingleRowMode(conn)) {
        pub_db_set_error(error, conn, NULL, what);
        drain(conn);
        return FALSE;
    }
    CsvOut *o = NULL;
    gboolean ok = TRUE;
    PGresult *res;
    /* Every result is collected, even after a failure, so that conn is idle again. */
    while ((res = PQgetResult(conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (ok && (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) && o == NULL) {
            /* The first result (a row, or the end of an empty set) carries the header. */
            g_autofree const char **header = header_of(res);
            o = csv_out_create(path, mode, header, error);
            if (o == NULL)
                ok = FALSE;
        }
        if (ok && st == PGRES_SINGLE_TUPLE) {
            write_row(o, res);
        } else if (ok && st != PGRES_TUPLES_OK) {
            pub_db_set_error(error, conn, res, what);
            ok = FALSE;
        }
        PQclear(res);
    }
    if (!ok) {
        csv_out_abort(o);
        return FALSE;
    }
    if (o == NULL) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB, "%s: the query returned no result", what);
        return FALSE;
    }
    guint64 n = csv_out_rows(o);
    if (!csv_out_commit(o, error))
        return FALSE;
    if (rows)
        *rows = n;
    return TRUE;
}
