/*
 * stmt_changes.h: the units behind a statement's "changes since the previous
 * run" (docs/month_end.md, issue 10).
 *
 * Every publish of a month compares its load with the load it replaced
 * (lib/pub_changes.c); beside each practice's page pbc-statements writes
 * <code>_changes.csv: the practice's rows of that change report from
 * pbc.v_statement_changes, one per unit added, removed, re-priced,
 * re-attributed or re-dated, with the reason and the evidence, so that the
 * practice can see why its spend moved.  A unit re-attributed between two
 * practices is in both files, each side with its own change of spend.  The
 * files hold NHS numbers: mode 0600 through csv_out (stmt_csv.h).  A
 * month's first publication, or a practice with nothing changed, gets a
 * header-only file.
 */
#ifndef PBC_STMT_CHANGES_H
#define PBC_STMT_CHANGES_H

#include "stmt_data.h"
#include "stmt_output.h"

#include <glib.h>
#include <libpq-fe.h>

/*
 * Writes the changes file of every practice of d inside stmt_data_load()'s
 * snapshot; fills each practice's change_rows, change_delta_spend and
 * change_reasons, and checks them against its month end (v_statement_status):
 * as many rows as units_changed, their changes of spend adding up to
 * delta_spend.  FALSE with PBC_ERROR_DB (the query), PBC_ERROR_IO (a file)
 * or PBC_ERROR_DATA (a count or sum that differs).
 */
gboolean stmt_changes_write(PGconn *conn, StmtData *d, StmtOutput *out, GError **error);

#endif
