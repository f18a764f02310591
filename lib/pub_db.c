/*
 * pub_db.c: connecting and running statements for pbc-publish (see pub_db.h).
 */
#include "pub_db.h"

#include "log.h"

#include <string.h>

/* Copies s without its trailing newlines (libpq's messages end in one). */
static char *
chomp(const char *s)
{
    char *c = g_strdup(s ? s : "");
    g_strchomp(c);
    return c;
}

void
pub_db_set_error(GError **error, PGconn *conn, const PGresult *res, const char *what)
{
    GString *m = g_string_new(what);
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    g_autofree char *msg = chomp(primary ? primary
                                         : (res && *PQresultErrorMessage(res))
                                               ? PQresultErrorMessage(res)
                                               : PQerrorMessage(conn));
    /* libpq's connection messages may span lines; keep the first on the error line. */
    char *nl = strchr(msg, '\n');
    g_string_append_printf(m, ": %.*s", nl ? (int)(nl - msg) : (int)strlen(msg), msg);
    if (nl != NULL) {
        g_auto(GStrv) rest = g_strsplit(nl + 1, "\n", -1);
        for (char **l = rest; *l; l++) {
            g_strstrip(*l);
            if (**l)
                g_string_append_printf(m, "\ndetail: %s", *l);
        }
    }
    if (res != NULL) {
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
        const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
        if (detail)
            g_string_append_printf(m, "\ndetail: %s", detail);
        if (hint)
            g_string_append_printf(m, "\nhint: %s", hint);
        if (context)
            g_string_append_printf(m, "\ndetail: context: %s", context);
    }
    g_set_error_literal(error, PBC_ERROR, PBC_ERROR_DB, m->str);
    g_string_free(m, TRUE);
}

PGconn *
pub_db_connect(const char *conninfo, const char *app, GError **error)
{
    if (conninfo == NULL)
        conninfo = g_getenv("PGURI");
    if (conninfo == NULL)
        conninfo = "";
    /* expand_dbname: "dbname" may be a whole connection string or URI. */
    const char *keys[] = {"dbname", "fallback_application_name", NULL};
    const char *vals[] = {conninfo, app, NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (conn == NULL) {
        g_set_error_literal(error, PBC_ERROR, PBC_ERROR_DB,
                            "could not connect to database: out of memory");
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        pub_db_set_error(error, conn, NULL, "could not connect to database");
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

PGresult *
pub_db_query(PGconn *conn, const char *what, const char *sql, int nparams,
             const char *const *params, GError **error)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    pub_db_set_error(error, conn, res, what);
    PQclear(res);
    return NULL;
}

gboolean
pub_db_exec(PGconn *conn, const char *what, const char *sql, int nparams,
            const char *const *params, GError **error)
{
    PGresult *res = pub_db_query(conn, what, sql, nparams, params, error);
    PQclear(res);
    return res != NULL;
}

gboolean
pub_db_script(PGconn *conn, const char *what, const char *sql, GError **error)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    gboolean ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
    if (!ok)
        pub_db_set_error(error, conn, res, what);
    PQclear(res);
    return ok;
}

gboolean
pub_db_relation_exists(PGconn *conn, const char *name, gboolean *exists, GError **error)
{
    const char *params[] = {name};
    PGresult *r = pub_db_query(conn, "could not read the catalogue",
                               "SELECT to_regclass($1) IS NOT NULL", 1, params, error);
    if (r == NULL)
        return FALSE;
    *exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return TRUE;
}

void
pub_db_rollback(PGconn *conn)
{
    if (PQstatus(conn) != CONNECTION_OK)
        return;
    PQclear(PQexec(conn, "ROLLBACK"));
}
