/*
 * pub_render.h: monthly statements rendered from the database (SPEC §7.2).
 *
 * For a PCT and reporting month, reads the statement views (v_statement,
 * v_cumulative_spend, v_statement_pod, v_statement_provider, v_benchmarks,
 * v_patient_charges; docs/database.md) in one read-only snapshot and writes
 * into a directory (created 0700):
 *   index.html                       every practice's headline figures
 *   <practice>.html                  the practice's statement: budget, spend,
 *                                    variance, forecast, a chart of cumulative
 *                                    spend against the phased budget, the POD
 *                                    and provider breakdowns, benchmarks
 *   <practice>_charges.csv           its patient-level charges (mode 0600)
 * Each file is written under a temporary name and renamed into place.
 * Because it reads through the views, it renders what the connected role
 * may see: run as a practice role, only that practice's statement.
 */
#ifndef PBC_PUB_RENDER_H
#define PBC_PUB_RENDER_H

#include <glib.h>
#include <libpq-fe.h>

/*
 * Renders the statements of (pct, period) into dir.  *n receives the number
 * of statements written.  FALSE with error: PBC_ERROR_DB for a query,
 * PBC_ERROR_IO for a file.
 */
gboolean pub_render_statements(PGconn *conn, const char *pct, const char *period,
                               const char *dir, guint *n, GError **error);

/* Pence as pounds for a statement: -123456 -> "-£1,234.56".  Owned by the caller. */
char *pub_render_money(gint64 pence);

/* round(a * m / 12), halves away from zero: the phased budget of month m. */
gint64 pub_render_phased(gint64 annual, int m);

#endif
