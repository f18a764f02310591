/*
 * pub_period.c: closing and re-opening a published month (see pub_period.h).
 *
 * Each command is one transaction as pbc_loader, under the PCT's advisory
 * lock (the publisher's, PUB_LOCK_PCT_KEYS): read the month's current
 * publication and state, check the request against them, write the event
 * and the new state, commit.  Any failure rolls back: nothing changes.
 */
#include "pub_period.h"

#include "log.h"
#include "pub_db.h"
#include "pub_load.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
pub_period_result_clear(PubPeriodResult *result)
{
    if (result == NULL)
        return;
    g_clear_pointer(&result->closed_at, g_free);
    g_clear_pointer(&result->closed_by, g_free);
}

/* TRUE when s is NULL or only white space. */
static gboolean
is_blank(const char *s)
{
    while (s && g_ascii_isspace(*s))
        s++;
    return s == NULL || *s == '\0';
}

/* The month's current publication and state, read under the lock. */
typedef struct {
    gint64 load_id;
    char out_dir[4096];
    gboolean closed;
    char closed_at[64];
    char closed_by[256];
} State;

/* BEGIN, the loader role, the lock, the state.  FALSE leaves a transaction to roll back. */
static gboolean
begin(PGconn *conn, const PubPeriodOptions *opt, State *st, GError **error)
{
    memset(st, 0, sizeof *st);
    if (!pub_db_exec(conn, "could not start a transaction", "BEGIN", 0, NULL, error))
        return FALSE;
    g_autoptr(GError) e = NULL;
    if (!pub_db_exec(conn, "could not take the loader role", "SET LOCAL ROLE pbc_loader", 0, NULL,
                     &e)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "%s\nhint: closing and re-opening a month write the load audit: the database "
                    "user must be a member of pbc_loader: GRANT pbc_loader TO %s",
                    e->message, PQuser(conn));
        return FALSE;
    }
    if (!pub_load_lock_pct(conn, opt->pct, opt->wait, "publish, close or re-open",
                           "hint: try again when it has finished, or use --wait", error))
        return FALSE;
    const char *params[] = {opt->pct, opt->period};
    PGresult *res = pub_db_query(
        conn, "could not read the month's publication",
        "SELECT l.load_id, l.out_dir, coalesce(p.status = 'CLOSED', false),"
        " to_char(p.closed_at, 'YYYY-MM-DD HH24:MI:SS TZ'), p.closed_by"
        " FROM pbc.loads l LEFT JOIN pbc.periods p"
        " ON p.pct_code = l.pct_code AND p.period = l.period"
        " WHERE l.pct_code = $1 AND l.period = $2 AND l.status = 'OK' AND l.replaced_by IS NULL"
        " ORDER BY l.load_id DESC LIMIT 1",
        2, params, error);
    if (res == NULL)
        return FALSE;
    if (PQntuples(res) == 0) {
        PQclear(res);
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "nothing is published for PCT %s for %s\n"
                    "hint: publish the month first (make -f pipeline.mk ... PERIOD=%s publish)",
                    opt->pct, opt->period, opt->period);
        return FALSE;
    }
    st->load_id = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    g_strlcpy(st->out_dir, PQgetvalue(res, 0, 1), sizeof st->out_dir);
    st->closed = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
    g_strlcpy(st->closed_at, PQgetvalue(res, 0, 3), sizeof st->closed_at);
    g_strlcpy(st->closed_by, PQgetvalue(res, 0, 4), sizeof st->closed_by);
    PQclear(res);

    /* The guards: sign off only the publication that was reviewed. */
    if (opt->expect_load > 0 && st->load_id != opt->expect_load) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "load %" G_GINT64_FORMAT " is not the current publication of PCT %s for %s\n"
                    "detail: the current publication is load %" G_GINT64_FORMAT "\n"
                    "hint: review the current publication, then give its load id",
                    opt->expect_load, opt->pct, opt->period, st->load_id);
        return FALSE;
    }
    if (opt->out_dir != NULL) {
        g_autofree char *abs = realpath(opt->out_dir, NULL);
        if (abs == NULL || strcmp(abs, st->out_dir) != 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                        "the current publication of PCT %s for %s (load %" G_GINT64_FORMAT
                        ") was not published from \"%s\"\n"
                        "detail: it was published from \"%s\"\n"
                        "hint: publish that directory first, or name the month: "
                        "pbc-publish --close %s %s",
                        opt->pct, opt->period, st->load_id, opt->out_dir, st->out_dir, opt->pct,
                        opt->period);
            return FALSE;
        }
    }
    return TRUE;
}

/* The pbc.period_events row; fills result->event_id. */
static gboolean
record_event(PGconn *conn, const PubPeriodOptions *opt, const char *event, gint64 load_id,
             PubPeriodResult *result, GError **error)
{
    char load[32], pid[16];
    g_snprintf(load, sizeof load, "%" G_GINT64_FORMAT, load_id);
    g_snprintf(pid, sizeof pid, "%d", (int)getpid());
    const char *reason = is_blank(opt->reason) ? NULL : opt->reason;
    const char *params[] = {opt->pct, opt->period, event, load, reason,
                            g_get_user_name(), g_get_host_name(), pid};
    PGresult *res = pub_db_query(conn, "could not record the event",
                                 "INSERT INTO pbc.period_events (pct_code, period, event, load_id,"
                                 " reason, os_user, client_host, client_pid)"
                                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING event_id",
                                 G_N_ELEMENTS(params), params, error);
    if (res == NULL)
        return FALSE;
    result->event_id = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return TRUE;
}

/* Writes the month's row, closed on load_id; result's closed_at and closed_by as written. */
static gboolean
write_closed(PGconn *conn, const PubPeriodOptions *opt, gint64 load_id, PubPeriodResult *result,
             GError **error)
{
    char load[32];
    g_snprintf(load, sizeof load, "%" G_GINT64_FORMAT, load_id);
    const char *note = is_blank(opt->reason) ? NULL : opt->reason;
    const char *params[] = {opt->pct, opt->period, load, g_get_user_name(), note};
    PGresult *res = pub_db_query(
        conn, "could not close the month",
        "INSERT INTO pbc.periods (pct_code, period, status, current_load_id,"
        " closed_load_id, closed_at, closed_by, closed_os_user, close_note)"
        " VALUES ($1, $2, 'CLOSED', $3, $3, clock_timestamp(), session_user,"
        " $4, $5)"
        " ON CONFLICT (pct_code, period) DO UPDATE SET status = 'CLOSED',"
        " current_load_id = EXCLUDED.current_load_id,"
        " closed_load_id = EXCLUDED.closed_load_id,"
        " closed_at = EXCLUDED.closed_at, closed_by = EXCLUDED.closed_by,"
        " closed_os_user = EXCLUDED.closed_os_user,"
        " close_note = EXCLUDED.close_note"
        " RETURNING to_char(closed_at, 'YYYY-MM-DD HH24:MI:SS TZ'), closed_by",
        G_N_ELEMENTS(params), params, error);
    if (res == NULL)
        return FALSE;
    if (PQntuples(res) > 0) {
        result->closed_at = g_strdup(PQgetvalue(res, 0, 0));
        result->closed_by = g_strdup(PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return TRUE;
}

static gboolean
close_in_transaction(PGconn *conn, const PubPeriodOptions *opt, PubPeriodResult *result,
                     GError **error)
{
    State st;
    if (!begin(conn, opt, &st, error))
        return FALSE;
    result->load_id = st.load_id;
    if (st.closed) {
        /* Closing twice moves nothing: the first sign-off stands. */
        result->already = TRUE;
        result->closed_at = g_strdup(st.closed_at);
        result->closed_by = g_strdup(st.closed_by);
        pub_db_rollback(conn);
        return TRUE;
    }
    return record_event(conn, opt, "CLOSE", st.load_id, result, error)
           && write_closed(conn, opt, st.load_id, result, error)
           && pub_db_exec(conn, "could not commit the close", "COMMIT", 0, NULL, error);
}

gboolean
pub_period_close(PGconn *conn, const PubPeriodOptions *opt, PubPeriodResult *result,
                 GError **error)
{
    memset(result, 0, sizeof *result);
    if (!close_in_transaction(conn, opt, result, error)) {
        pub_db_rollback(conn);
        pub_period_result_clear(result);
        return FALSE;
    }
    return TRUE;
}

static gboolean
reopen_in_transaction(PGconn *conn, const PubPeriodOptions *opt, PubPeriodResult *result,
                      GError **error)
{
    State st;
    if (!begin(conn, opt, &st, error))
        return FALSE;
    result->load_id = st.load_id;
    if (!st.closed) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "PCT %s for %s is not closed: there is nothing to re-open\n"
                    "detail: the month is provisional; it can be published again as it is",
                    opt->pct, opt->period);
        return FALSE;
    }
    result->closed_at = g_strdup(st.closed_at);
    result->closed_by = g_strdup(st.closed_by);
    const char *params[] = {opt->pct, opt->period, opt->reason};
    return record_event(conn, opt, "REOPEN", st.load_id, result, error)
           && pub_db_exec(conn, "could not re-open the month",
                          "UPDATE pbc.periods SET status = 'PROVISIONAL',"
                          " reopened_at = clock_timestamp(), reopened_by = session_user,"
                          " reopen_reason = $3 WHERE pct_code = $1 AND period = $2",
                          G_N_ELEMENTS(params), params, error)
           && pub_db_exec(conn, "could not commit the re-open", "COMMIT", 0, NULL, error);
}

gboolean
pub_period_reopen(PGconn *conn, const PubPeriodOptions *opt, PubPeriodResult *result,
                  GError **error)
{
    memset(result, 0, sizeof *result);
    if (is_blank(opt->reason)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                    "re-opening a closed month needs a reason\n"
                    "hint: --reason \"why the signed-off figures must change\"");
        return FALSE;
    }
    if (!reopen_in_transaction(conn, opt, result, error)) {
        pub_db_rollback(conn);
        pub_period_result_clear(result);
        return FALSE;
    }
    return TRUE;
}

gboolean
pub_period_check_open(PGconn *conn, const char *pct, const char *period, GError **error)
{
    const char *params[] = {pct, period};
    PGresult *res = pub_db_query(
        conn, "could not read the month's state",
        "SELECT closed_load_id, to_char(closed_at, 'YYYY-MM-DD HH24:MI:SS TZ'), closed_by"
        " FROM pbc.periods WHERE pct_code = $1 AND period = $2 AND status = 'CLOSED'",
        2, params, error);
    if (res == NULL)
        return FALSE;
    gboolean open = PQntuples(res) == 0;
    if (!open)
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "cannot publish PCT %s for %s: the month is closed\n"
                    "detail: load %s was closed by %s at %s; a closed month's published figures "
                    "stay as they were signed off\n"
                    "hint: late data for a closed month is reported by the next month's run as "
                    "prior-month adjustments; to publish over the month itself, finance re-opens "
                    "it first: pbc-publish --reopen %s %s --reason \"...\"",
                    pct, period, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 2),
                    PQgetvalue(res, 0, 1), pct, period);
    PQclear(res);
    return open;
}

gboolean
pub_period_set_current(PGconn *conn, const char *pct, const char *period, const char *load_id,
                       GError **error)
{
    const char *params[] = {pct, period, load_id};
    return pub_db_exec(conn, "could not record the month's publication",
                       "INSERT INTO pbc.periods (pct_code, period, status, current_load_id)"
                       " VALUES ($1, $2, 'PROVISIONAL', $3)"
                       " ON CONFLICT (pct_code, period) DO UPDATE SET status = 'PROVISIONAL',"
                       " current_load_id = EXCLUDED.current_load_id",
                       3, params, error);
}
