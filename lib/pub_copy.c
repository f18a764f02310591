/*
 * pub_copy.c: COPY FROM STDIN in text format (see pub_copy.h).
 */
#include "pub_copy.h"

#include "log.h"
#include "pub_db.h"

/* Rows are sent in blocks of about this size: few calls, bounded memory. */
#define SEND_AT (256 * 1024)

struct PubCopy {
    PGconn *conn;
    GString *buf;
    gboolean first_col;
};

PubCopy *
pub_copy_begin(PGconn *conn, const char *sql, GError **error)
{
    PGresult *res = PQexec(conn, sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        pub_db_set_error(error, conn, res, "could not start COPY");
        PQclear(res);
        return NULL;
    }
    PQclear(res);
    PubCopy *c = g_new0(PubCopy, 1);
    c->conn = conn;
    c->buf = g_string_sized_new(SEND_AT + 4096);
    c->first_col = TRUE;
    return c;
}

static void
separator(PubCopy *c)
{
    if (!c->first_col)
        g_string_append_c(c->buf, '\t');
    c->first_col = FALSE;
}

void
pub_copy_value(PubCopy *c, const char *value, gsize len)
{
    separator(c);
    for (gsize i = 0; i < len; i++) {
        char ch = value[i];
        switch (ch) {
        case '\\': g_string_append(c->buf, "\\\\"); break;
        case '\t': g_string_append(c->buf, "\\t"); break;
        case '\n': g_string_append(c->buf, "\\n"); break;
        case '\r': g_string_append(c->buf, "\\r"); break;
        /* PostgreSQL text cannot hold NUL: drop it rather than cut the value. */
        case '\0': break;
        default: g_string_append_c(c->buf, ch);
        }
    }
}

void
pub_copy_null(PubCopy *c)
{
    separator(c);
    g_string_append(c->buf, "\\N");
}

static gboolean
send(PubCopy *c, GError **error)
{
    if (c->buf->len == 0)
        return TRUE;
    if (PQputCopyData(c->conn, c->buf->str, (int)c->buf->len) != 1) {
        pub_db_set_error(error, c->conn, NULL, "could not send COPY data");
        return FALSE;
    }
    g_string_truncate(c->buf, 0);
    return TRUE;
}

gboolean
pub_copy_end_row(PubCopy *c, GError **error)
{
    g_string_append_c(c->buf, '\n');
    c->first_col = TRUE;
    if (c->buf->len >= SEND_AT)
        return send(c, error);
    return TRUE;
}

/* Collects results until NULL; the first failure sets error.  Frees c. */
static gboolean
drain(PubCopy *c, GError **error)
{
    gboolean ok = TRUE;
    PGresult *res;
    while ((res = PQgetResult(c->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && ok) {
            pub_db_set_error(error, c->conn, res, "could not load rows");
            ok = FALSE;
        }
        PQclear(res);
    }
    g_string_free(c->buf, TRUE);
    g_free(c);
    return ok;
}

gboolean
pub_copy_finish(PubCopy *c, GError **error)
{
    if (!send(c, error)) {
        pub_copy_abort(c, "could not send COPY data");
        return FALSE;
    }
    if (PQputCopyEnd(c->conn, NULL) != 1) {
        pub_db_set_error(error, c->conn, NULL, "could not end COPY");
        drain(c, NULL);
        return FALSE;
    }
    return drain(c, error);
}

void
pub_copy_abort(PubCopy *c, const char *reason)
{
    if (c == NULL)
        return;
    /* The server answers an aborted COPY with an error result: expected, ignored. */
    PQputCopyEnd(c->conn, reason ? reason : "aborted by pbc-publish");
    drain(c, NULL);
}
