/*
 * pub_period.h: month-end close of a published (PCT, reporting month)
 * (docs/month_end.md; sql/migrations/011_month_end.sql).
 *
 * Finance closes a month once it has signed off its publication:
 *
 *   pbc-publish --close 5QA 2006-08            pub_period_close()
 *   pbc-publish --reopen 5QA 2006-08 --reason "provider freeze corrected"
 *                                              pub_period_reopen()
 *
 * pbc.periods holds each published month's state (PROVISIONAL or CLOSED,
 * the load signed off, who closed or re-opened it, when, why);
 * pbc.period_events records every close and re-open in the load audit.  A
 * publish of a closed month is refused (pub_period_check_open(), called by
 * pub_load() inside its transaction); a re-open needs a reason.  Closing,
 * re-opening and publishing a PCT take the same advisory lock, so none of
 * them interleaves with another for that PCT.
 */
#ifndef PBC_PUB_PERIOD_H
#define PBC_PUB_PERIOD_H

#include <glib.h>
#include <libpq-fe.h>

typedef struct {
    const char *pct;
    const char *period;     /* YYYY-MM */
    gint64 expect_load;     /* > 0: the current publication must be this load */
    const char *out_dir;    /* non-NULL: it must have been published from this directory */
    const char *reason;     /* close: an optional note; re-open: required */
    gboolean wait;          /* wait for a publish of the PCT in progress (else fail) */
} PubPeriodOptions;

typedef struct {
    gint64 load_id;         /* the publication closed or re-opened */
    gint64 event_id;        /* its pbc.period_events row (0 when nothing changed) */
    gboolean already;       /* close: the month was closed already; nothing changed */
    char *closed_at;        /* when it was closed (owned; pub_period_result_clear) */
    char *closed_by;        /* by whom (database user) */
} PubPeriodResult;

/*
 * Closes opt->period of opt->pct: records who and when, and which load is
 * signed off.  conn is connected, migrated and idle; the connecting user must
 * be a member of pbc_loader.  Closing a month already closed changes nothing
 * and sets result->already.  Returns FALSE with PBC_ERROR_DB when nothing is
 * published for the month, the current publication is not the expected one
 * (expect_load, out_dir), the PCT is busy with wait = FALSE, or on a database
 * error; nothing is then changed.
 */
gboolean pub_period_close(PGconn *conn, const PubPeriodOptions *opt, PubPeriodResult *result,
                          GError **error);

/*
 * Re-opens a closed month so that it can be published again: the month is
 * provisional until closed again.  opt->reason must not be blank
 * (PBC_ERROR_DATA otherwise).  FALSE with PBC_ERROR_DB when the month is not
 * closed, as pub_period_close() otherwise.
 */
gboolean pub_period_reopen(PGconn *conn, const PubPeriodOptions *opt, PubPeriodResult *result,
                           GError **error);

/* Frees the strings of a result; accepts NULL. */
void pub_period_result_clear(PubPeriodResult *result);

/*
 * Inside a publish's transaction, after the PCT's lock: FALSE with
 * PBC_ERROR_DB ("cannot publish ...: the month is closed", who closed it,
 * and how to re-open) when (pct, period) is closed.
 */
gboolean pub_period_check_open(PGconn *conn, const char *pct, const char *period,
                               GError **error);

/*
 * Inside a publish's transaction: records load_id as the publication
 * standing for (pct, period), which is provisional (a new month, or one
 * re-opened).
 */
gboolean pub_period_set_current(PGconn *conn, const char *pct, const char *period,
                                const char *load_id, GError **error);

#endif
